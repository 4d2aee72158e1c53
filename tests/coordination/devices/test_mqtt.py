"""Device commands on the machine's real Mosquitto: a queued command is published to its device's
topic and marked sent once the broker acknowledges it; a device's answer taken by `iccc intake`'s
door marks it confirmed, and moves on the SOP step that commanded it; an answer that is not one,
or names no command, or comes on another device's topic, is an intake dead letter and the door
goes on."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from coordination import CITY_CENTRE, SYSTEM, Complete, Principal, Role, answer_task, declare_incident
from coordination.device_confirmations import DeviceConfirmations
from coordination.device_publisher import CommandPublisher, PublishRound
from coordination.devices import devices_for_command, issue_commands
from coordination.intake import BrokerSettings, Intake
from coordination.intake.mqtt_door import MqttDoor
from coordination.lifecycles import DeviceCommandStatus
from coordination.sensors import SHIPPED_KINDS
from coordination.store.tables import DeviceCommand, IntakeDeadLetter, SopRunRecord, Task
from tests.conftest import incident_report
from tests.broker import BROKER, broker, run_in_thread  # noqa: F401 - a fixture
from tests.coordination.devices.fleet import register

pytestmark = pytest.mark.database


def wait_until(condition, *, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def door_for(store, clock):
    """Start `iccc intake`'s door (readings and devices' answers) on some broker settings."""
    running = []

    def start(settings) -> MqttDoor:
        door = MqttDoor(broker=settings, intake=Intake(store=store, clock=clock, kinds=SHIPPED_KINDS),
                        device_answers=DeviceConfirmations(store=store, clock=clock).take)
        door.connect()
        assert door.wait_connected(10)
        stop = threading.Event()
        running.append((stop, run_in_thread(door, stop)))
        time.sleep(0.2)  # the subscription is made in the connect callback
        return door

    yield start
    for stop, thread in running:
        stop.set()
        thread.join(10)


@pytest.fixture
def device_settings(broker):  # noqa: F811 - the fixture imported above
    """The test's broker settings, with the devices' answers under its own prefix."""
    return replace(broker.settings, device_topics=(f"{broker.prefix}/devices/+/confirm",))


def queue_command(store, clock, device_id: str, *, due_in_s: float = 120) -> str:
    with store.transaction() as session:
        devices = devices_for_command(session, kind=None, device_ids=(device_id,), near=CITY_CENTRE, within_m=None)
        [command] = issue_commands(session, at=clock.now(), devices=devices, action="display",
                                   payload={"text": "WATERLOGGING AHEAD"}, incident_id=None, run_id=None,
                                   step_id=None, due_at=clock.now() + timedelta(seconds=due_in_s), issued_by="engine")
        return command.command_id


def command_status(store, command_id: str) -> DeviceCommandStatus:
    with store.transaction() as session:
        return session.get(DeviceCommand, command_id).status


class Listener:
    """A device's end: subscribes to its command topic and keeps what arrives."""

    def __init__(self, topic: str):
        self.arrived: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-device-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        self.client.on_message = lambda _c, _u, message: self.arrived.put(message)
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect(*BROKER)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        assert subscribed.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_a_queued_command_is_published_to_its_device_and_marked_sent_after_the_broker_acknowledges(
        broker, store, clock, shipped_rules):  # noqa: F811
    device_id = register(store, clock, "vms-1", prefix=f"{broker.prefix}/devices")
    command_id = queue_command(store, clock, device_id)
    late_id = queue_command(store, clock, device_id, due_in_s=1)
    device = Listener(f"{broker.prefix}/devices/vms-1/command")
    publisher = CommandPublisher(store=store, clock=clock, broker=broker.settings)
    try:
        clock.advance(seconds=2)  # the second command's deadline passed before it was ever published
        done = publisher.publish_due()
        assert (done.sent, done.unacknowledged, done.overdue) == ([command_id], [], [late_id])
        message = device.arrived.get(timeout=10)
        assert json.loads(message.payload) == {
            "command_id": command_id, "device_id": "vms-1", "action": "display",
            "payload": {"text": "WATERLOGGING AHEAD"}, "issued_at": (clock.now() - timedelta(seconds=2)).isoformat(),
            "due_at": (clock.now() + timedelta(seconds=118)).isoformat()}
        assert message.qos == 1
        assert publisher.publish_due().sent == []  # published once
        assert device.arrived.empty()
    finally:
        publisher.close()
        device.close()
    with store.transaction() as session:
        sent = session.get(DeviceCommand, command_id)
        assert (sent.status, sent.sent_at, sent.publish_attempts) == (DeviceCommandStatus.SENT, clock.now(), 1)
        assert session.get(DeviceCommand, late_id).status is DeviceCommandStatus.OVERDUE


def test_a_device_answer_over_mqtt_confirms_its_command_and_bad_answers_are_dead_letters(
        broker, device_settings, door_for, store, clock, shipped_rules):  # noqa: F811
    prefix = f"{broker.prefix}/devices"
    register(store, clock, "vms-1", prefix=prefix)
    register(store, clock, "vms-2", prefix=prefix)
    confirmed_id, failed_id = queue_command(store, clock, "vms-1"), queue_command(store, clock, "vms-1")
    door = door_for(device_settings)
    nobody = str(uuid.uuid4())
    broker.publish([
        (f"{prefix}/vms-1/confirm", json.dumps({"command_id": confirmed_id, "status": "done"}).encode()),
        (f"{prefix}/vms-1/confirm", json.dumps({"command_id": confirmed_id.upper(), "status": "done"}).encode()),
        (f"{prefix}/vms-1/confirm", b"\xff not json"),
        (f"{prefix}/vms-1/confirm", json.dumps({"command_id": confirmed_id, "status": "maybe"}).encode()),
        (f"{prefix}/vms-1/confirm", json.dumps({"command_id": nobody, "status": "done"}).encode()),
        (f"{prefix}/vms-2/confirm", json.dumps({"command_id": failed_id, "status": "done"}).encode()),
        (f"{prefix}/vms-1/confirm", json.dumps({"command_id": failed_id, "status": "failed",
                                                "reason": "lamp fault"}).encode()),
    ])
    wait_until(lambda: door.counts.messages == 7)
    assert command_status(store, confirmed_id) is DeviceCommandStatus.CONFIRMED
    with store.transaction() as session:
        failed = session.get(DeviceCommand, failed_id)
        assert (failed.status, failed.reason) == (DeviceCommandStatus.FAILED, "lamp fault")
        letters = session.scalars(select(IntakeDeadLetter).order_by(IntakeDeadLetter.seq)).all()
    assert [(letter.problem, letter.origin) for letter in letters] == [
        ("malformed", f"{prefix}/vms-1/confirm"), ("malformed", f"{prefix}/vms-1/confirm"),
        ("unknown_command", f"{prefix}/vms-1/confirm"), ("topic", f"{prefix}/vms-2/confirm")]
    assert letters[1].reason.startswith("status:") and nobody in letters[2].reason


def test_a_flood_sop_commands_the_signs_near_it_and_their_confirmations_over_mqtt_finish_the_step(
        broker, device_settings, door_for, store, clock, shipped_rules):  # noqa: F811
    """The shipped urban-flood SOP: once the flood is assessed, the message signs within 2 km get
    its warning through the broker, and the step is done when they confirm over MQTT."""
    prefix = f"{broker.prefix}/devices"
    register(store, clock, "vms-near", east_m=300, prefix=prefix)
    register(store, clock, "vms-far", east_m=5000, prefix=prefix)  # beyond the step's 2 km
    with store.transaction() as session:
        incident = declare_incident(session=session, clock=clock, actor=SYSTEM, report=incident_report(
            type="flood", severity="moderate", location={"type": "Point", "coordinates": list(CITY_CENTRE)}))
        run_id = session.scalars(select(SopRunRecord.id).where(SopRunRecord.incident_id == incident.id)).one()
        assess = session.scalars(select(Task).where(Task.run_id == run_id, Task.step_id == "assess")).one()
        ddma = Principal(token_id=None, name="ddma", role=Role.AGENCY, agency_id=assess.agency_id)
        answer_task(session=session, clock=clock, principal=ddma, task_id=assess.id, answer=Complete())
    with store.transaction() as session:
        command = session.scalars(select(DeviceCommand).where(DeviceCommand.run_id == run_id)).one()
        assert (command.device_id, command.step_id, command.action, command.status) == \
            ("vms-near", "warn_drivers", "display", DeviceCommandStatus.QUEUED)
        assert step_status(session, run_id, "warn_drivers") == "active"
    device = Listener(f"{prefix}/vms-near/command")
    publisher = CommandPublisher(store=store, clock=clock, broker=broker.settings)
    try:
        assert publisher.publish_due().sent == [command.command_id]
        told = json.loads(device.arrived.get(timeout=10).payload)
    finally:
        publisher.close()
        device.close()
    assert told["payload"]["text"] == "FLOODING AHEAD - UNDERPASS CLOSED - USE DIVERSION"
    door = door_for(device_settings)
    clock.advance(seconds=40)
    broker.publish([(f"{prefix}/vms-near/confirm",
                     json.dumps({"command_id": told["command_id"], "status": "done"}).encode())])
    wait_until(lambda: door.counts.messages == 1)
    with store.transaction() as session:
        assert session.get(DeviceCommand, command.command_id).status is DeviceCommandStatus.CONFIRMED
        assert step_status(session, run_id, "warn_drivers") == "done"


def step_status(session, run_id, step_id: str) -> str:
    return session.get(SopRunRecord, run_id).state["steps"][step_id]["status"]


def test_an_idle_publisher_tick_takes_no_writer_lock_and_needs_no_broker(store, clock, monkeypatch):
    """Nothing queued: no lock that would make every writer wait each second, no connection."""
    taken = []
    monkeypatch.setattr("coordination.store.writer_lock.take_writer_lock", lambda session: taken.append(session))
    publisher = CommandPublisher(store=store, clock=clock, broker=replace(BrokerSettings(), port=1))
    assert publisher.publish_due() == PublishRound()
    assert taken == [] and publisher._client is None
