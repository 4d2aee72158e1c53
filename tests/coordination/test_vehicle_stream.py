"""Unit positions and statuses over MQTT (the machine's real Mosquitto) go through the same use
cases as the REST AVL routes: the map and the planner read the moved unit; an agency's topic moves
only its own units; every refused message is an intake dead letter with its reason."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination import DEMO_AGENCIES, seed_demo_agencies
from coordination.dispatch_service import seed_demo_fleet
from coordination.intake import Intake
from coordination.intake.mqtt_door import MqttDoor
from coordination.planner import UnitStatus
from coordination.sensors import SHIPPED_KINDS
from coordination.store.tables import Agency, IntakeDeadLetter, ResponseUnit
from coordination.vehicle_stream import VehicleStream
from tests.broker import broker, run_in_thread  # noqa: F401 - a fixture

pytestmark = pytest.mark.database


@pytest.fixture
def fleet(store, clock, shipped_sops):
    with store.transaction() as session:
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=frozenset({"127.0.0.1"}),
                           webhook_url_for={demo.code: f"http://127.0.0.1:9/{demo.code}" for demo in DEMO_AGENCIES})
        seed_demo_fleet(session=session, clock=clock)
        fire = session.scalar(select(Agency.id).where(Agency.code == "fire-central"))
        police = session.scalar(select(Agency.id).where(Agency.code == "police-central"))
        fire_unit = session.scalars(select(ResponseUnit.code).where(ResponseUnit.agency_id == fire)
                                    .order_by(ResponseUnit.code)).first()
        police_unit = session.scalars(select(ResponseUnit.code).where(ResponseUnit.agency_id == police)
                                      .order_by(ResponseUnit.code)).first()
    return fire_unit, police_unit


def unit(store, code):
    with store.transaction() as session:
        return session.scalar(select(ResponseUnit).where(ResponseUnit.code == code))


def test_positions_and_statuses_over_mqtt_move_the_units_and_bad_ones_are_dead_letters(
        broker, store, clock, fleet):  # noqa: F811
    fire_unit, police_unit = fleet
    door = MqttDoor(broker=broker.settings, intake=Intake(store=store, clock=clock, kinds=SHIPPED_KINDS),
                    vehicles=VehicleStream(store=store, clock=clock).take)
    door.connect()
    assert door.wait_connected(10)
    stop = threading.Event()
    thread = run_in_thread(door, stop)
    time.sleep(0.3)

    def fix(longitude, ago_s=0):
        return json.dumps({"location": {"type": "Point", "coordinates": [longitude, 12.97]},
                           "fixed_at": (clock.now() - timedelta(seconds=ago_s)).isoformat()}).encode()

    topic = broker.vehicles_topic
    try:
        broker.publish([
            (topic("fire-central", fire_unit, "position"), fix(77.601, ago_s=20)),
            (topic("fire-central", fire_unit, "position"), fix(77.602, ago_s=10)),
            (topic("fire-central", fire_unit, "status"), json.dumps({"status": "out_of_service"}).encode()),
            (topic("fire-central", police_unit, "position"), fix(77.7)),       # not fire's unit
            (topic("fire-central", fire_unit, "position"), b'{"location": 1}'),  # not a GeoJSON point
            (topic("fire-central", fire_unit, "position"), fix(77.9, ago_s=-3600)),  # an hour ahead
            (topic("fire-central", fire_unit, "status"), json.dumps({"status": "dispatched"}).encode()),
        ])
        deadline = time.monotonic() + 20
        while door.counts.messages < 7:
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    moved = unit(store, fire_unit)
    assert (moved.longitude, moved.status) == (77.602, UnitStatus.OUT_OF_SERVICE)
    assert unit(store, police_unit).longitude != 77.7
    with store.transaction() as session:
        problems = sorted(session.scalars(select(IntakeDeadLetter.problem)))
    assert problems == ["future", "malformed", "refused", "unknown_unit"]


def test_a_repeated_or_older_fix_changes_nothing(store, clock, fleet):
    fire_unit, _ = fleet

    class Message:
        def __init__(self, payload):
            self.topic, self.payload = f"iccc/vehicles/fire-central/{fire_unit}/position", payload

    newer = json.dumps({"location": {"type": "Point", "coordinates": [77.61, 12.97]},
                        "fixed_at": clock.now().isoformat()}).encode()
    older = json.dumps({"location": {"type": "Point", "coordinates": [77.5, 12.97]},
                        "fixed_at": (clock.now() - timedelta(minutes=1)).isoformat()}).encode()
    stream = VehicleStream(store=store, clock=clock)
    stream.take([Message(newer)])
    stream.take([Message(newer), Message(older)])
    assert unit(store, fire_unit).longitude == 77.61
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IntakeDeadLetter)) == 0
