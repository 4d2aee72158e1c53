"""`./dev demo`'s city systems: with no broker on the configured port the demo starts an embedded
one (amqtt, MQTT 3.1.1), its simulated gauges, SCADA and trackers publish there, its consumer takes
them in, and a cloudburst over three drains declares a flood whose SOP starts, from readings alone,
and whose message signs and pumps near the flood confirm the commands its SOP sends them."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import select

from coordination.device_publisher import CommandPublisher
from coordination.devices.demo_devices import seed_demo_devices
from coordination.intake import BrokerSettings, Intake
from coordination.lifecycles import DeviceCommandStatus
from coordination.sensors import SHIPPED_KINDS
from coordination.sensors.demo_sensors import demo_tracked_units, seed_demo_sensors
from coordination.dispatch_service import seed_demo_fleet
from coordination.store.tables import DeviceCommand, Incident, ResponseUnit, SensorLatest, SopRunRecord
from processes.demo_broker import demo_broker
from processes.demo_city_feed import DemoCityFeed, TrackedUnit, demo_topic_base
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.database


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_city_floods_from_readings_through_an_embedded_broker(store, clock, shipped_rules):  # noqa: F811
    with store.transaction() as session:
        seed_demo_fleet(session=session, clock=clock)
        assert seed_demo_sensors(session=session, clock=clock) == 13
        units = [TrackedUnit(*row) for row in demo_tracked_units(session)]
        base = demo_topic_base("test")
        assert seed_demo_devices(session=session, clock=clock, topic_base=base) == 7
        assert seed_demo_devices(session=session, clock=clock, topic_base=base) == 0  # a restart moves nothing
    broker = demo_broker(BrokerSettings(port=unused_port(), topics=(f"{base}/readings/#",),
                                        vehicle_topics=(f"{base}/vehicles/#",),
                                        device_topics=(f"{base}/devices/+/confirm",)))
    assert broker.embedded and broker.settings.protocol == 4 and broker.settings.shared_group == ""
    feed = DemoCityFeed(broker=broker.settings, topic_base=base, store=store, clock=clock,
                        intake=Intake(store=store, clock=clock, kinds=SHIPPED_KINDS), units=units,
                        first_cloudburst_s=0)
    feed.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with store.transaction() as session:
                incident = session.scalars(select(Incident)).first()
                if incident is not None:
                    break
            assert time.monotonic() < deadline, "no flood declared"
            time.sleep(0.2)
        publisher = CommandPublisher(store=store, clock=clock, broker=broker.settings)
        try:
            while True:
                publisher.publish_due()
                with store.transaction() as session:
                    commands = session.scalars(select(DeviceCommand).where(DeviceCommand.step_id == "warn_drivers")).all()
                    if commands and all(c.status is DeviceCommandStatus.CONFIRMED for c in commands):
                        signs = sorted(command.device_id for command in commands)
                        run_state = session.scalar(select(SopRunRecord.state))
                        break
                assert time.monotonic() < deadline + 30, "the signs never confirmed"
                time.sleep(0.3)
        finally:
            publisher.close()
    finally:
        feed.stop()
        broker.stop()
    assert signs == ["vms-ring-east", "vms-ring-west", "vms-town-hall"]
    assert run_state["steps"]["warn_drivers"]["status"] == "done"
    with store.transaction() as session:
        assert (incident.incident_type, incident.declared_by) == ("flood", "alert_source:rule drains-flood@v2")
        assert session.scalars(select(SopRunRecord.sop_id)).all() == ["urban-flood"]
        assert len(session.scalars(select(SensorLatest)).all()) == 13
        tracked = session.scalar(select(ResponseUnit).where(ResponseUnit.code == units[0].code))
        assert tracked.position_fixed_at is not None
