"""Sensors for the intake's tests: drains around the demo city's centre (the shipped flood rule
watches water_level in m), a panic button, registered for the demo agencies."""

from __future__ import annotations

import json

from coordination import CITY_CENTRE, SYSTEM
from coordination.geojson import GeoPoint
from coordination.sensors import SHIPPED_KINDS, SensorRegistration, register_sensor


def register_drains(store, clock, count: int = 3, *, prefix: str = "drain", spacing_m: float = 200.0) -> list[str]:
    """Register `count` water-level gauges `spacing_m` apart east of the centre; return their ids."""
    ids = [f"{prefix}-{index + 1}" for index in range(count)]
    with store.transaction() as session:
        for index, sensor_id in enumerate(ids):
            longitude = CITY_CENTRE[0] + (index - 1) * spacing_m / 108_500.0
            register_sensor(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_KINDS, registration=(
                SensorRegistration(id=sensor_id, kind="water_level", unit="m", agency="municipal-corp", interval_s=60,
                                   location=GeoPoint(type="Point", coordinates=(longitude, CITY_CENTRE[1])))))
    return ids


def register_button(store, clock, sensor_id: str = "button-1") -> str:
    with store.transaction() as session:
        register_sensor(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_KINDS, registration=(
            SensorRegistration(id=sensor_id, kind="panic_button", unit="", agency="police-central", interval_s=3600,
                               location=GeoPoint(type="Point", coordinates=CITY_CENTRE))))
    return sensor_id


def senml(sensor_id: str, value: float, *, at=None, unit: str = "m") -> bytes:
    """A one-record SenML pack, stamped `at` (a datetime) or now."""
    record = {"n": sensor_id, "u": unit, "v": value}
    if at is not None:
        record["t"] = at.timestamp()
    return json.dumps([record]).encode()
