"""What the API and the console read of the intake: dead letters and a sensor's readings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from coordination.store.tables import IntakeDeadLetter, SensorReading


def dead_letters_query(*, problem: str | None = None, sensor_id: str | None = None) -> Select:
    """The intake's dead letters, newest first."""
    query = select(IntakeDeadLetter).order_by(IntakeDeadLetter.seq.desc())
    if problem is not None:
        query = query.where(IntakeDeadLetter.problem == problem)
    if sensor_id is not None:
        query = query.where(IntakeDeadLetter.sensor_id == sensor_id)
    return query


def dead_letter_json(letter: IntakeDeadLetter) -> dict[str, Any]:
    return {"seq": letter.seq, "received_at": letter.received_at.isoformat(), "source": letter.source,
            "origin": letter.origin, "problem": letter.problem, "reason": letter.reason,
            "sensor_id": letter.sensor_id, "payload": letter.payload}


def readings_query(sensor_id: str, *, since: datetime | None = None) -> Select:
    """A sensor's readings, newest first (older ones are hourly means after the raw retention)."""
    query = select(SensorReading).where(SensorReading.sensor_id == sensor_id).order_by(
        SensorReading.observed_at.desc())
    if since is not None:
        query = query.where(SensorReading.observed_at >= since)
    return query


def reading_json(reading: SensorReading) -> dict[str, Any]:
    return {"reading_id": reading.reading_id, "sensor_id": reading.sensor_id, "value": reading.value,
            "unit": reading.unit, "observed_at": reading.observed_at.isoformat(), "source": reading.source,
            "received_at": reading.received_at.isoformat(), "samples": reading.samples,
            "value_min": reading.value_min, "value_max": reading.value_max}
