"""The MQTT door on the machine's real Mosquitto: readings published as SenML reach the store
and the rules (three water-level gauges over their mark declare a flood whose SOP starts), bad
messages become dead letters without stopping the consumer, and a message is acknowledged only
after its batch is committed."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination.intake import Intake
from coordination.intake.mqtt_door import MqttDoor
from coordination.sensors import SHIPPED_KINDS
from coordination.store.tables import Incident, IntakeDeadLetter, SensorReading, SopRunRecord
from tests.broker import broker, run_in_thread  # noqa: F401 - a fixture
from tests.coordination.intake.gauges import register_drains, senml

pytestmark = pytest.mark.database


def wait_until(condition, *, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def count(store, table, *where) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where))


@pytest.fixture
def door(broker, store, clock, shipped_rules):  # noqa: F811 - the fixture imported above
    door = MqttDoor(broker=broker.settings, intake=Intake(store=store, clock=clock, kinds=SHIPPED_KINDS))
    door.connect()
    assert door.wait_connected(10)
    stop = threading.Event()
    thread = run_in_thread(door, stop)
    time.sleep(0.2)  # the subscription is made in the connect callback
    yield door
    stop.set()
    thread.join(10)


def test_three_gauges_over_their_mark_published_over_mqtt_declare_a_flood_whose_sop_starts(
        broker, door, store, clock):  # noqa: F811
    drains = register_drains(store, clock, 3)
    broker.publish([(broker.readings_topic(sensor_id), senml(sensor_id, 0.85)) for sensor_id in drains])
    wait_until(lambda: count(store, Incident) == 1)
    with store.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.incident_type == "flood"
        assert session.scalars(select(SopRunRecord.sop_id).where(SopRunRecord.incident_id == incident.id)).all() == \
            ["urban-flood"]
    assert count(store, SensorReading) == 3


def test_bad_messages_are_dead_letters_and_the_consumer_goes_on(broker, door, store, clock):  # noqa: F811
    register_drains(store, clock, 2)
    broker.publish([(broker.readings_topic("drain-1"), b"\x00\xff not json"),
                    (broker.readings_topic("drain-1"), senml("drain-2", 0.3)),
                    (broker.readings_topic("drain-1"), senml("drain-1", 0.3, unit="ft")),
                    (broker.readings_topic("drain-1"), senml("drain-1", 0.3))])
    wait_until(lambda: door.counts.messages == 4)
    assert count(store, SensorReading) == 1 and count(store, IntakeDeadLetter) == 3
    with store.transaction() as session:
        assert sorted(session.scalars(select(IntakeDeadLetter.problem))) == ["malformed", "topic", "unit"]


def test_a_batch_whose_commit_fails_is_not_acknowledged_and_is_tried_again(broker, store, clock, shipped_rules,
                                                                            monkeypatch):  # noqa: F811
    register_drains(store, clock, 1)
    intake = Intake(store=store, clock=clock, kinds=SHIPPED_KINDS)
    real_take, failures = intake.take, []

    def failing_once(messages):
        if not failures:
            failures.append(len(messages))
            raise ConnectionError("database unreachable")
        return real_take(messages)

    monkeypatch.setattr(intake, "take", failing_once)
    monkeypatch.setattr("coordination.intake.mqtt_door.RETRY_S", (0.05,))
    door = MqttDoor(broker=broker.settings, intake=intake)
    acked = []
    monkeypatch.setattr(door._client, "ack", lambda mid, qos: acked.append((mid, count(store, SensorReading))))
    door.connect()
    assert door.wait_connected(10)
    stop = threading.Event()
    thread = run_in_thread(door, stop)
    time.sleep(0.2)
    broker.publish([(broker.readings_topic("drain-1"), senml("drain-1", 0.3))])
    wait_until(lambda: len(acked) == 1)
    stop.set()
    thread.join(10)
    assert failures == [1] and door.counts.retries == 1
    assert acked[0][1] == 1  # acknowledged after the reading was committed


def test_a_message_whose_taking_fails_is_kept_as_a_dead_letter_and_the_others_are_taken(
        broker, store, clock, shipped_rules, monkeypatch):  # noqa: F811
    register_drains(store, clock, 1)
    intake = Intake(store=store, clock=clock, kinds=SHIPPED_KINDS)
    real_take = intake.take

    def choking_on_poison(messages):
        if any(b"0.666" in message.payload for message in messages):
            raise ValueError("a bug this message finds")
        return real_take(messages)

    monkeypatch.setattr(intake, "take", choking_on_poison)
    door = MqttDoor(broker=broker.settings, intake=intake)
    door.connect()
    assert door.wait_connected(10)
    stop = threading.Event()
    thread = run_in_thread(door, stop)
    time.sleep(0.2)
    at = clock.now()
    broker.publish([(broker.readings_topic("drain-1"), senml("drain-1", value, at=at - timedelta(seconds=index)))
                    for index, value in enumerate([0.1, 0.666, 0.2])])
    wait_until(lambda: door.counts.messages == 3)
    stop.set()
    thread.join(10)
    assert count(store, SensorReading) == 2
    with store.transaction() as session:
        letter = session.scalars(select(IntakeDeadLetter)).one()
        assert (letter.problem, letter.reason) == ("failed", "taking it failed: ValueError: a bug this message finds")
