"""The one intake path: a batch is stored in one transaction (readings, latest values, dead
letters), a repeated reading changes nothing, every refusal is kept and counted, and the readings
reach the trigger rules: three drains over their mark declare a flood whose SOP starts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from coordination.intake import IncomingMessage
from coordination.store.tables import Incident, IntakeDeadLetter, SensorLatest, SensorReading, SopRunRecord
from tests.coordination.intake.gauges import register_drains, senml

pytestmark = pytest.mark.database


def message(payload: bytes, source="mqtt", topic_sensor=None) -> IncomingMessage:
    return IncomingMessage(source=source, origin=f"iccc/readings/{topic_sensor or 'batch'}", payload=payload,
                           topic_sensor=topic_sensor)


def counted(source: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("iccc_intake_readings_total", {"source": source, "outcome": outcome}) or 0.0


def test_readings_are_stored_once_and_the_latest_value_moves_only_forward(store, clock, intake):
    register_drains(store, clock, 1)
    newer, older = clock.now() - timedelta(seconds=10), clock.now() - timedelta(seconds=70)
    first = intake.take([message(senml("drain-1", 0.3, at=newer))])
    again = intake.take([message(senml("drain-1", 0.3, at=newer)), message(senml("drain-1", 0.2, at=older))])
    assert (first.stored, first.repeated, again.stored, again.repeated) == (1, 0, 1, 1)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(SensorReading)) == 2
        latest = session.get(SensorLatest, "drain-1")
        assert (latest.value, latest.observed_at) == (0.3, newer)


def test_every_refusal_is_kept_with_its_reason_payload_and_origin_and_counted(store, clock, intake):
    register_drains(store, clock, 1)
    before = counted("mqtt", "refused")
    result = intake.take([message(b"{not json", topic_sensor="drain-1"),
                          message(senml("drain-9", 0.5), topic_sensor="drain-9"),
                          message(senml("drain-1", 500.0), topic_sensor="drain-1"),
                          message(senml("drain-1", 0.5), topic_sensor="drain-2")])
    assert [refusal.problem for refusal in result.refusals] == ["malformed", "unknown_sensor", "impossible_value",
                                                                 "topic"]
    assert counted("mqtt", "refused") - before == 4
    with store.transaction() as session:
        letters = session.scalars(select(IntakeDeadLetter).order_by(IntakeDeadLetter.seq)).all()
        assert [(letter.problem, letter.origin, letter.source) for letter in letters] == [
            ("malformed", "iccc/readings/drain-1", "mqtt"), ("unknown_sensor", "iccc/readings/drain-9", "mqtt"),
            ("impossible_value", "iccc/readings/drain-1", "mqtt"), ("topic", "iccc/readings/drain-2", "mqtt")]
        assert letters[0].payload == "{not json"
        assert json.loads(letters[2].payload) == {"n": "drain-1", "u": "m", "v": 500.0}
        assert session.scalar(select(func.count()).select_from(SensorReading)) == 0


def test_a_sensor_registered_after_the_registry_was_read_is_known_at_once(store, clock, intake):
    register_drains(store, clock, 1)
    intake.take([message(senml("drain-1", 0.3))])
    register_drains(store, clock, 1, prefix="river")
    assert intake.take([message(senml("river-1", 0.3))]).stored == 1


def test_three_drains_over_their_mark_declare_a_flood_whose_sop_starts(store, clock, intake):
    drains = register_drains(store, clock, 3)
    result = intake.take([message(senml(sensor_id, 0.8), topic_sensor=sensor_id) for sensor_id in drains])
    assert (result.stored, result.acted) == (3, 1)
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.incident_type, incident.declared_by) == ("flood", "alert_source:rule drains-flood@v2")
        assert session.scalars(select(SopRunRecord.sop_id)).all() == ["urban-flood"]
    again = intake.take([message(senml(sensor_id, 0.8), topic_sensor=sensor_id) for sensor_id in drains])
    assert (again.stored, again.repeated, again.acted) == (0, 3, 0)
