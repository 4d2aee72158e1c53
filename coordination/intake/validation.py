"""Resolved records against the registry: which are readings of registered sensors, and why
each other one is refused. Pure: the registry, the kinds and the time are passed in.

Every door (MQTT, NGSI-LD notifications, HTTP batches) ends here, so a reading is held to the
same checks whichever way it came.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import msgspec

from coordination.intake.records import Reading, Refusal, ResolvedRecord, reading_id_for
from coordination.intake.settings import ReadingRetention
from coordination.sensors.kinds import SensorKind


class SensorFacts(msgspec.Struct, frozen=True):
    """What the intake and the rules need of a registered sensor."""

    sensor_id: str
    kind: str
    unit: str
    longitude: float
    latitude: float
    agency: str
    interval_s: int


def sensor_named(registry: Mapping[str, SensorFacts], name: str) -> SensorFacts | None:
    """The sensor a reading names: by its id, or by the last `:` part of a URN
    (`urn:ngsi-ld:WaterLevel:drain-1`, `urn:dev:ow:drain-1` name the sensor `drain-1`)."""
    found = registry.get(name)
    if found is None and ":" in name:
        found = registry.get(name.rsplit(":", 1)[1])
    return found


def validate(records: Iterable[ResolvedRecord], *, registry: Mapping[str, SensorFacts],
             kinds: Mapping[str, SensorKind], now: datetime, retention: ReadingRetention,
             topic_sensor: str | None = None) -> tuple[list[Reading], list[Refusal]]:
    """Split records into readings and refusals.

    `topic_sensor` is the sensor an MQTT topic names (its last level): every record of a message
    published there must be of that sensor, so one device cannot speak for another.
    """
    readings: list[Reading] = []
    refusals: list[Refusal] = []
    for record in records:
        outcome = _checked(record, registry=registry, kinds=kinds, now=now, retention=retention,
                           topic_sensor=topic_sensor)
        (readings if isinstance(outcome, Reading) else refusals).append(outcome)
    return readings, refusals


def _checked(record: ResolvedRecord, *, registry: Mapping[str, SensorFacts], kinds: Mapping[str, SensorKind],
             now: datetime, retention: ReadingRetention, topic_sensor: str | None) -> Reading | Refusal:
    where = f"record {record.index} ({record.name})"

    def refuse(problem: str, reason: str, sensor_id: str | None = None) -> Refusal:
        return Refusal(problem=problem, reason=f"{where}: {reason}", payload=record.original, sensor_id=sensor_id)

    sensor = sensor_named(registry, record.name)
    if sensor is None:
        return refuse("unknown_sensor", "no sensor of that name is registered")
    if topic_sensor is not None and sensor is not sensor_named(registry, topic_sensor):
        return refuse("topic", f"published on the topic of {topic_sensor!r}, not of {sensor.sensor_id!r}",
                      sensor.sensor_id)
    if record.value is None:
        return refuse("malformed", record.value_problem, sensor.sensor_id)
    unit = sensor.unit if record.unit is None and sensor.unit == "" else record.unit
    if unit != sensor.unit:
        given = "no unit" if record.unit is None else f"unit {record.unit!r}"
        expected = "no unit (true/false)" if sensor.unit == "" else repr(sensor.unit)
        return refuse("unit", f"{given}, but {sensor.sensor_id} reports in {expected}", sensor.sensor_id)
    kind = kinds.get(sensor.kind)
    possible = kind.range_for(sensor.unit) if kind is not None else None
    if possible is not None and not possible.holds(record.value):
        return refuse("impossible_value", f"{record.value:g} {sensor.unit} is impossible for a {sensor.kind} "
                      f"sensor (possible: {possible})", sensor.sensor_id)
    if record.observed_at > now + retention.future_skew:
        return refuse("future", f"stamped {record.observed_at.isoformat()}, more than "
                      f"{retention.future_skew.total_seconds():g} s ahead of the engine's clock", sensor.sensor_id)
    if record.observed_at < now - retention.raw:
        return refuse("too_old", f"stamped {record.observed_at.isoformat()}, older than the "
                      f"{retention.raw.days}-day retention of readings", sensor.sensor_id)
    return Reading(reading_id=reading_id_for(sensor.sensor_id, record.observed_at), sensor_id=sensor.sensor_id,
                   value=record.value, unit=sensor.unit, observed_at=record.observed_at)
