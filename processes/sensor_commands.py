"""`iccc sensors ...`: the sensor registry from the command line (import GeoJSON, list)."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import SYSTEM, Store
from coordination.sensors import SensorImportRejected, import_sensors, parse_sensor_collection, sensors_visible_to
from coordination.store.tables import Sensor
from processes.feature_files import refuse_file
from web.app.clock import WallClock
from web.app.config import Settings


@click.group()
def sensors() -> None:
    """The city's sensors: gauges, SCADA points, panic buttons, video analytics."""


@sensors.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def sensors_import(path: Path) -> None:
    """Register or change sensors from a GeoJSON FeatureCollection, all or nothing.

    Each feature is a sensor: a Point geometry, and properties id, kind, unit, agency (its code),
    interval_s and optionally name. Prints `FILE: feature N: reason` for every bad feature and
    exits 1 without importing any.
    """
    settings = Settings.from_environment()
    store = Store(settings.database_url)
    try:
        with store.transaction() as session:
            features = parse_sensor_collection(path.read_text(encoding="utf-8", errors="replace"))
            result = import_sensors(session=session, clock=WallClock(), features=features,
                                    kinds=settings.sensor_kinds, actor=SYSTEM)
    except SensorImportRejected as error:
        refuse_file(path, error)
    click.echo(f"{len(result.registered)} sensors registered, {len(result.changed)} changed")


@sensors.command("list")
@click.option("--kind", default=None, help="Only sensors of this kind (water_level, rain_gauge...).")
def sensors_list(kind: str | None) -> None:
    """Print every sensor: id, kind, agency, unit, interval, location and its latest reading."""
    store = Store(Settings.from_environment().database_url)
    with store.transaction() as session:
        query = sensors_visible_to(SYSTEM)
        if kind is not None:
            query = query.where(Sensor.kind == kind)
        for sensor in session.scalars(query):
            latest = sensor.latest
            last = (f"{latest.value:g} {latest.unit} at {latest.observed_at:%Y-%m-%d %H:%M:%S}Z"
                    if latest else "no reading yet")
            click.echo(f"{sensor.id}\t{sensor.kind}\t{sensor.agency.code}\t{sensor.unit or '-'}\t"
                       f"every {sensor.interval_s}s\t{sensor.longitude:.5f},{sensor.latitude:.5f}\t{last}")
