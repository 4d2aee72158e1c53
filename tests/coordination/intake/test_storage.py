"""Storing a batch of readings in one statement (an array per column on PostgreSQL, a JSON array on
SQLite): every field reads back through the ORM as written, and times sort and compare with the
ones the ORM writes itself, to the microsecond."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination.intake.records import Reading
from coordination.intake.storage import insert_readings
from coordination.store.tables import SensorReading
from tests.coordination.intake.gauges import register_drains

pytestmark = pytest.mark.database


def reading(reading_id: str, sensor_id: str, at, value: float) -> Reading:
    return Reading(reading_id=reading_id, sensor_id=sensor_id, observed_at=at, value=value, unit="m")


def test_a_batch_reads_back_as_written_and_sorts_with_the_rows_the_orm_writes(store, clock, intake):
    [drain] = register_drains(store, clock, 1)
    on_the_second = clock.now().replace(microsecond=0)
    with store.transaction() as session:
        session.add(SensorReading(reading_id="orm-1", sensor_id=drain, observed_at=on_the_second + timedelta(
            microseconds=500), value=0.5, unit="m", source="http", received_at=clock.now(), samples=1,
            value_min=0.5, value_max=0.5))
    batch = [(reading("batch-1", drain, on_the_second, 0.1 + 0.2), "mqtt"),
             (reading("batch-2", drain, on_the_second + timedelta(microseconds=501), 1e-9), "ngsi-ld")]
    with store.engine.begin() as connection:
        assert insert_readings(connection, batch, received_at=clock.now()) == {"batch-1", "batch-2"}
        assert insert_readings(connection, batch, received_at=clock.now()) == set()  # a redelivery changes nothing
    with store.transaction() as session:
        rows = session.scalars(select(SensorReading).order_by(SensorReading.observed_at)).all()
        assert [row.reading_id for row in rows] == ["batch-1", "orm-1", "batch-2"]
        first = rows[0]
        assert (first.observed_at, first.value, first.unit, first.source, first.samples) == (
            on_the_second, 0.1 + 0.2, "m", "mqtt", 1)
        assert (first.value_min, first.value_max, first.received_at) == (0.1 + 0.2, 0.1 + 0.2, clock.now())
        assert rows[2].value == 1e-9 and rows[2].source == "ngsi-ld"
        later = session.scalars(select(SensorReading.reading_id).where(
            SensorReading.observed_at > on_the_second + timedelta(microseconds=500))).all()
        assert later == ["batch-2"]
