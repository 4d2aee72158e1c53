"""The intake's background jobs: readings past the raw retention are folded into hourly means
(with their minimum, maximum and count, right across several batches) and the oldest removed;
the stale-sensor tick turns a silent sensor into a maintenance task for its agency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination.intake import IncomingMessage, ReadingRetention
from coordination.intake.upkeep import downsample_readings, tick_sensor_rules
from coordination.store.tables import RuleOutcome, SensorLatest, SensorReading
from tests.coordination.intake.gauges import register_drains, senml

pytestmark = pytest.mark.database

RETENTION = ReadingRetention(raw=timedelta(days=7), bucket=timedelta(hours=1), keep=timedelta(days=30))


def take(intake, sensor_id, value, at):
    intake.take([IncomingMessage(source="mqtt", origin="t", payload=senml(sensor_id, value, at=at))])


def rows(store):
    with store.transaction() as session:
        return [(row.reading_id.split("@")[1][:6], row.value, row.samples, row.value_min, row.value_max)
                for row in session.scalars(select(SensorReading).order_by(SensorReading.observed_at))]


def test_old_readings_become_hourly_means_and_the_oldest_go(store, clock, intake):
    register_drains(store, clock, 1)
    hour = clock.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    for minutes, value in [(1, 0.2), (10, 0.4), (20, 0.9), (70, 0.5)]:
        take(intake, "drain-1", value, hour + timedelta(minutes=minutes))
    clock.advance(minutes=8 * 24 * 60)
    take(intake, "drain-1", 0.3, clock.now())  # recent: stays as taken
    assert downsample_readings(store=store, clock=clock, retention=RETENTION, batch=2).merged == 2
    assert downsample_readings(store=store, clock=clock, retention=RETENTION, batch=2).merged == 2
    assert downsample_readings(store=store, clock=clock, retention=RETENTION).merged == 0
    (first, second, recent) = rows(store)
    assert first == ("bucket", pytest.approx(0.5), 3, 0.2, 0.9)
    assert second == ("bucket", 0.5, 1, 0.5, 0.5)
    assert recent[1:] == (0.3, 1, 0.3, 0.3)
    with store.transaction() as session:
        assert session.get(SensorLatest, "drain-1").value == 0.3  # the latest value is not touched
    clock.advance(minutes=25 * 24 * 60)
    assert downsample_readings(store=store, clock=clock, retention=RETENTION).removed == 2
    assert len(rows(store)) == 1


def test_a_silent_sensor_gets_a_maintenance_task_from_the_tick(store, clock, intake):
    register_drains(store, clock, 1)
    take(intake, "drain-1", 0.2, clock.now())
    assert tick_sensor_rules(store=store, clock=clock) == 0
    clock.advance(minutes=4)  # three intervals of 60 s missed, and more
    assert tick_sensor_rules(store=store, clock=clock) == 1
    with store.transaction() as session:
        outcome = session.scalars(select(RuleOutcome).where(RuleOutcome.rule_id == "stale-sensors")).one()
        assert outcome.result == "maintenance"
    assert tick_sensor_rules(store=store, clock=clock) == 0
