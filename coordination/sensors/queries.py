"""What the console, the map and the integrity board read of the sensors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.principals import Principal
from coordination.rule_service import active_rule_book
from coordination.sensors.bands import band_of
from coordination.sensors.registry import sensor_json, sensors_visible_to
from coordination.rules.definition import Correlation, Threshold
from coordination.store.tables import Sensor, SensorReading

STALE_AFTER_INTERVALS = 3
"""A sensor is listed as stale after this many of its intervals without a reading (the shipped
stale-sensors rule's `missed_intervals`)."""


@dataclass(frozen=True)
class SensorView:
    sensor: Sensor
    band: str | None
    """normal, moderate, severe or extreme as the active rules see the latest value (None: no rule, no reading)."""
    stale: bool


def sensor_views(*, session: Session, principal: Principal, now: datetime, kind: str | None = None) -> list[SensorView]:
    """Every sensor the caller may see, with its latest value's band and whether it is stale."""
    book = active_rule_book(session)
    query = sensors_visible_to(principal)
    if kind is not None:
        query = query.where(Sensor.kind == kind)
    return [_view(sensor, book, now) for sensor in session.scalars(query).unique()]


def sensor_view(*, session: Session, sensor: Sensor, now: datetime) -> SensorView:
    return _view(sensor, active_rule_book(session), now)


def _view(sensor: Sensor, book, now: datetime) -> SensorView:
    latest = sensor.latest
    band = band_of(book, sensor_id=sensor.id, kind=sensor.kind, unit=sensor.unit,
                   value=latest.value if latest else None)
    return SensorView(sensor=sensor, band=band, stale=is_stale(sensor, now))


def is_stale(sensor: Sensor, now: datetime) -> bool:
    last = sensor.latest.observed_at if sensor.latest else sensor.registered_at
    return now - last > timedelta(seconds=sensor.interval_s * STALE_AFTER_INTERVALS)


def stale_sensors(*, session: Session, now: datetime) -> list[Sensor]:
    """Sensors with no reading for `STALE_AFTER_INTERVALS` of their intervals, longest silent first."""
    sensors = [sensor for sensor in session.scalars(select(Sensor).order_by(Sensor.id)).unique()
               if is_stale(sensor, now)]
    return sorted(sensors, key=lambda sensor: sensor.latest.observed_at if sensor.latest else sensor.registered_at)


def sensors_geojson(views: list[SensorView]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946) of sensors, for a map layer: each a Point with its
    kind, agency, latest value, unit, band and staleness as properties."""
    features = []
    for view in views:
        body = sensor_json(view.sensor)
        latest = body["latest"]
        features.append({"type": "Feature", "id": view.sensor.id, "geometry": body["location"], "properties": {
            "id": view.sensor.id, "name": view.sensor.name, "kind": view.sensor.kind, "unit": view.sensor.unit,
            "agency": view.sensor.agency.code, "interval_s": view.sensor.interval_s,
            "value": latest["value"] if latest else None, "observed_at": latest["observed_at"] if latest else None,
            "band": view.band, "stale": view.stale}})
    return {"type": "FeatureCollection", "features": features}


def recent_readings(*, session: Session, sensor_id: str, now: datetime, window: timedelta = timedelta(hours=24),
                    limit: int = 2000) -> list:
    """A sensor's readings of the last `window`, oldest first (at most `limit`, the newest)."""
    rows = session.scalars(select(SensorReading).where(SensorReading.sensor_id == sensor_id,
                                                       SensorReading.observed_at >= now - window)
                           .order_by(SensorReading.observed_at.desc()).limit(limit)).all()
    return list(reversed(rows))


def rule_marks(*, session: Session, sensor: Sensor) -> list[tuple[str, float]]:
    """The levels of the active threshold and correlation rules that watch the sensor, named."""
    marks: list[tuple[str, float]] = []
    for rule in active_rule_book(session).for_kind(sensor.kind):
        condition = rule.condition
        if not rule.applies_to(sensor.id, sensor.kind, sensor.unit):
            continue
        if isinstance(condition, Threshold):
            marks.append((f"{rule.ref.rule_id}", condition.level))
        elif isinstance(condition, Correlation):
            marks.append((f"{rule.ref.rule_id}", condition.mark_of(sensor.id)))
        for band in rule.bands:
            marks.append((f"{band.severity.value}", band.level))
    return sorted(set(marks), key=lambda item: item[1])
