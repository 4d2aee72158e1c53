"""NGSI-LD notifications (what a FIWARE context broker or an IUDX subscription POSTs) into
resolved records: pure.

A notification's `data` holds entities; an entity names its sensor by its `id` (the sensor's id,
or a URN whose last part is it), and its reading is the Property named after the sensor's kind in
camelCase (`waterLevel` for a water_level sensor) or `value`, with `observedAt` and a UN/CEFACT
`unitCode`. Other properties (a battery level, a name) are not readings and are not taken.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from coordination.intake.records import ResolvedRecord
from coordination.intake.senml import MalformedPack, malformed
from coordination.intake.validation import SensorFacts, sensor_named

UNIT_CODES = {
    "MTR": "m", "CMT": "cm", "MMT": "mm", "H67": "mm/h", "CEL": "Cel", "AMP": "A", "KPA": "kPa", "BAR": "bar",
    "GQ": "ug/m3", "59": "ppm", "C62": "count",
}
"""UN/CEFACT common codes (what NGSI-LD's `unitCode` carries) for the SenML units sensors report in."""
MAX_ENTITIES = 10_000


def camel_case(kind: str) -> str:
    head, *rest = kind.split("_")
    return head + "".join(part.title() for part in rest)


def decode_notification(payload: bytes, *, registry: Mapping[str, SensorFacts], now: datetime) -> list[ResolvedRecord]:
    """The readings a notification carries, one record per entity.

    Raises:
        MalformedPack: not JSON, not a notification with a `data` list of entities.
    """
    try:
        document = msgspec.json.decode(payload)
    except msgspec.DecodeError as error:
        raise MalformedPack(malformed(f"not JSON: {error}", payload)) from None
    entities = document.get("data") if isinstance(document, dict) else None
    if not isinstance(entities, list) or not entities:
        raise MalformedPack(malformed("not an NGSI-LD notification: no `data` list of entities", payload))
    if len(entities) > MAX_ENTITIES:
        raise MalformedPack(malformed(f"{len(entities)} entities in one notification; at most {MAX_ENTITIES}",
                                       payload))
    notified_at = _time(document.get("notifiedAt")) or now
    return [_record(index, entity, registry, notified_at) for index, entity in enumerate(entities)]


def _record(index: int, entity: Any, registry: Mapping[str, SensorFacts], notified_at: datetime) -> ResolvedRecord:
    original = msgspec.json.encode(entity).decode()
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or not entity["id"]:
        return ResolvedRecord(index=index, name=f"entity {index}", unit=None, value=None, observed_at=notified_at,
                              original=original, value_problem="an entity with no `id`")
    name = entity["id"]
    sensor = sensor_named(registry, name)
    wanted = (camel_case(sensor.kind), sensor.kind, "value") if sensor is not None else ("value",)
    attribute = next((key for key in wanted if isinstance(entity.get(key), dict)), None)
    if attribute is None:
        return ResolvedRecord(index=index, name=name, unit=None, value=None, observed_at=notified_at,
                              original=original, value_problem=f"no Property named {' or '.join(wanted)}")
    prop = entity[attribute]
    raw = prop.get("value")
    value = (1.0 if raw else 0.0) if isinstance(raw, bool) else float(raw) if isinstance(raw, int | float) else None
    problem = "" if value is not None and math.isfinite(value) else f"{attribute}.value is not a number or true/false"
    code = prop.get("unitCode")
    unit = None if code is None else UNIT_CODES.get(code, f"unitCode {code}")
    observed_at = _time(prop.get("observedAt")) or notified_at
    return ResolvedRecord(index=index, name=name, unit=unit, value=value if not problem else None,
                          observed_at=observed_at, original=original, value_problem=problem)


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
