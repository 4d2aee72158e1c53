"""`iccc devices ...`: the device registry from the command line (import GeoJSON, list)."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import SYSTEM, Store
from coordination.devices import DeviceImportRejected, devices_visible_to, import_devices, parse_device_collection
from processes.feature_files import refuse_file
from web.app.clock import WallClock
from web.app.config import Settings


@click.group()
def devices() -> None:
    """The city's devices an SOP commands: message signs, sirens, drainage pumps, barriers."""


@devices.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def devices_import(path: Path) -> None:
    """Register or change devices from a GeoJSON FeatureCollection, all or nothing.

    Each feature is a device: a Point geometry, and properties id, kind, agency (its code) and
    optionally name, command_topic and confirmation_topic (by default iccc/devices/<id>/command
    and .../confirm). Prints `FILE: feature N: reason` for every bad feature and exits 1 without
    importing any.
    """
    settings = Settings.from_environment()
    store = Store(settings.database_url)
    try:
        with store.transaction() as session:
            features = parse_device_collection(path.read_text(encoding="utf-8", errors="replace"))
            result = import_devices(session=session, clock=WallClock(), features=features,
                                    kinds=settings.device_kinds, actor=SYSTEM,
                                    heard_on=settings.broker.device_topics)
    except DeviceImportRejected as error:
        refuse_file(path, error)
    click.echo(f"{len(result.registered)} devices registered, {len(result.changed)} changed")


@devices.command("list")
@click.option("--kind", default=None, help="Only devices of this kind (message_sign, siren...).")
def devices_list(kind: str | None) -> None:
    """Print every device: id, kind, agency, location, command and confirmation topics."""
    store = Store(Settings.from_environment().database_url)
    with store.transaction() as session:
        for device in session.scalars(devices_visible_to(SYSTEM, kind=kind)).unique():
            click.echo(f"{device.id}\t{device.kind}\t{device.agency.code}\t{device.longitude:.5f},{device.latitude:.5f}"
                       f"\t{device.command_topic}\t{device.confirmation_topic}")
