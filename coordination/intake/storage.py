"""Readings, latest values and dead letters written in one transaction per batch, on the
engine's connection: measurements, not events of the record, so they never wait for the
timeline's writer lock (on SQLite, BEGIN IMMEDIATE still serialises them with every writer).

A reading's id is its primary key and rows are inserted with ON CONFLICT DO NOTHING, so a
redelivered or repeated reading changes nothing; the latest value of a sensor moves only forward.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import Connection, insert, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coordination.intake.records import Reading, Refusal
from coordination.store.tables import IntakeDeadLetter, SensorLatest, SensorReading

_READINGS = SensorReading.__table__
_LATEST = SensorLatest.__table__
_DEAD = IntakeDeadLetter.__table__


def insert_readings(connection: Connection, readings: Sequence[tuple[Reading, str]], *, received_at: datetime
                    ) -> set[str]:
    """Insert the readings not yet stored (each with the door it came by); return the ids inserted."""
    if not readings:
        return set()
    if connection.dialect.name == "postgresql":
        return _insert_readings_unnest(connection, readings, received_at=received_at)
    if connection.dialect.name == "sqlite":
        return _insert_readings_json(connection, readings, received_at=received_at)
    rows = [{"reading_id": reading.reading_id, "sensor_id": reading.sensor_id, "observed_at": reading.observed_at,
             "value": reading.value, "unit": reading.unit, "source": source, "received_at": received_at,
             "samples": 1, "value_min": reading.value, "value_max": reading.value}
            for reading, source in sorted(readings, key=lambda item: item[0].reading_id)]
    inserted = connection.execute(
        _dialect_insert(connection, _READINGS).on_conflict_do_nothing(index_elements=["reading_id"])
        .returning(_READINGS.c.reading_id), rows)
    return {row[0] for row in inserted}


_UNNEST_INSERT = text("""
    INSERT INTO sensor_readings (reading_id, sensor_id, observed_at, value, unit, source, received_at, samples,
                                 value_min, value_max)
    SELECT reading_id, sensor_id, observed_at, value, unit, source, :received_at, 1, value, value
    FROM unnest(CAST(:reading_ids AS varchar[]), CAST(:sensor_ids AS varchar[]), CAST(:observed AS timestamptz[]),
                CAST(:readings AS float8[]), CAST(:units AS varchar[]), CAST(:sources AS varchar[]))
         AS batch (reading_id, sensor_id, observed_at, value, unit, source)
    ORDER BY reading_id
    ON CONFLICT (reading_id) DO NOTHING
    RETURNING reading_id""")
"""A batch as one statement of six arrays. A multi-row VALUES of a thousand rows is a new, long SQL
text every batch, which psycopg parses afresh each time (half the intake's time on PostgreSQL)."""


def _insert_readings_unnest(connection: Connection, readings: Sequence[tuple[Reading, str]], *,
                            received_at: datetime) -> set[str]:
    ordered = sorted(readings, key=lambda item: item[0].reading_id)
    inserted = connection.execute(_UNNEST_INSERT, {
        "received_at": received_at,
        "reading_ids": [reading.reading_id for reading, _ in ordered],
        "sensor_ids": [reading.sensor_id for reading, _ in ordered],
        "observed": [reading.observed_at for reading, _ in ordered],
        "readings": [reading.value for reading, _ in ordered],
        "units": [reading.unit for reading, _ in ordered],
        "sources": [source for _, source in ordered]})
    return {row[0] for row in inserted}


_JSON_INSERT = text("""
    INSERT INTO sensor_readings (reading_id, sensor_id, observed_at, value, unit, source, received_at, samples,
                                 value_min, value_max)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, :received_at, 1,
           value ->> 3, value ->> 3
    FROM json_each(:batch) WHERE true
    ON CONFLICT (reading_id) DO NOTHING
    RETURNING reading_id""")
"""The same on SQLite, the batch as one JSON array (`WHERE true`: SQLite's upsert after a SELECT
needs a WHERE to parse)."""

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy stores a DateTime on SQLite (naive UTC, always with microseconds): text written
here must sort and compare exactly as the ORM's own rows do."""


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(SQLITE_TIME)


def _insert_readings_json(connection: Connection, readings: Sequence[tuple[Reading, str]], *,
                          received_at: datetime) -> set[str]:
    batch = [[reading.reading_id, reading.sensor_id, _sqlite_time(reading.observed_at), reading.value, reading.unit,
              source] for reading, source in sorted(readings, key=lambda item: item[0].reading_id)]
    inserted = connection.execute(_JSON_INSERT, {"batch": json.dumps(batch), "received_at": _sqlite_time(received_at)})
    return {row[0] for row in inserted}


def advance_latest(connection: Connection, readings: Sequence[Reading], *, received_at: datetime) -> None:
    """Move each sensor's latest value to its newest reading here, if newer than the one held."""
    newest: dict[str, Reading] = {}
    for reading in readings:
        held = newest.get(reading.sensor_id)
        if held is None or reading.observed_at > held.observed_at:
            newest[reading.sensor_id] = reading
    if not newest:
        return
    statement = _dialect_insert(connection, _LATEST)
    statement = statement.on_conflict_do_update(
        index_elements=["sensor_id"],
        set_={"reading_id": statement.excluded.reading_id, "value": statement.excluded.value,
              "unit": statement.excluded.unit, "observed_at": statement.excluded.observed_at,
              "received_at": statement.excluded.received_at},
        where=statement.excluded.observed_at > _LATEST.c.observed_at)
    # In sensor order, so two consumers updating the same sensors never wait for each other in a
    # cycle; one executemany, not a statement per sensor (which cost a fifth of a batch).
    connection.execute(statement, [
        {"sensor_id": sensor_id, "reading_id": newest[sensor_id].reading_id, "value": newest[sensor_id].value,
         "unit": newest[sensor_id].unit, "observed_at": newest[sensor_id].observed_at, "received_at": received_at}
        for sensor_id in sorted(newest)])


def insert_dead_letters(connection: Connection, refusals: Sequence[tuple[Refusal, str, str]], *,
                        received_at: datetime) -> None:
    """Keep each refusal (with its door and origin: the topic or the token's name)."""
    if not refusals:
        return
    connection.execute(insert(_DEAD), [
        {"received_at": received_at, "source": source, "origin": _text(origin)[:400], "problem": refusal.problem,
         "reason": _text(refusal.reason), "sensor_id": _text(refusal.sensor_id)[:128] if refusal.sensor_id else None,
         "payload": _text(refusal.payload)}
        for refusal, source, origin in refusals])


def _text(value: str) -> str:
    """Text PostgreSQL stores: a NUL (which a broken device can send) becomes U+FFFD."""
    return value.replace("\x00", "\ufffd")


def _dialect_insert(connection: Connection, table):
    if connection.dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)
