"""The machine's Mosquitto (127.0.0.1:1883) for the MQTT tests, each under its own topic prefix
and shared-subscription group so tests running at once never see each other's messages."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass, replace

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from coordination.intake import BrokerSettings

BROKER = ("127.0.0.1", 1883)


def broker_reachable() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class TestBroker:
    settings: BrokerSettings
    prefix: str

    def readings_topic(self, sensor_id: str) -> str:
        return f"{self.prefix}/readings/{sensor_id}"

    def vehicles_topic(self, agency: str, unit: str, kind: str) -> str:
        return f"{self.prefix}/vehicles/{agency}/{unit}/{kind}"

    def with_client_id(self, client_id: str) -> BrokerSettings:
        return replace(self.settings, client_id=client_id)

    def environment(self, client_id: str = "") -> dict[str, str]:
        """The `ICCC_MQTT_*` settings of an `iccc intake` process on this prefix."""
        return {"ICCC_MQTT_HOST": BROKER[0], "ICCC_MQTT_PORT": str(BROKER[1]),
                "ICCC_MQTT_TOPICS": ",".join(self.settings.topics),
                "ICCC_MQTT_VEHICLE_TOPICS": ",".join(self.settings.vehicle_topics),
                "ICCC_MQTT_SHARED_GROUP": self.settings.shared_group, "ICCC_MQTT_CLIENT_ID": client_id}

    def publish(self, messages: list[tuple[str, bytes]], *, qos: int = 1) -> None:
        """Publish and wait until the broker has every message."""
        publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}",
                                protocol=mqtt.MQTTv5)
        publisher.max_inflight_messages_set(1000)
        publisher.max_queued_messages_set(0)
        publisher.connect(*BROKER)
        publisher.loop_start()
        try:
            infos = [publisher.publish(topic, payload, qos=qos) for topic, payload in messages]
            for info in infos:
                info.wait_for_publish(timeout=30)
        finally:
            publisher.disconnect()
            publisher.loop_stop()


@pytest.fixture
def broker() -> TestBroker:
    """The machine's Mosquitto, with a topic prefix and a shared group of this test's own.

    Skipped where no broker runs (a developer's machine); CI starts Mosquitto, so there it fails.
    """
    if not broker_reachable():
        if os.environ.get("CI"):
            pytest.fail("no MQTT broker on 127.0.0.1:1883: .ci/run starts Mosquitto")
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (apt-get install mosquitto)")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    return TestBroker(settings=BrokerSettings(host=BROKER[0], port=BROKER[1], topics=(f"{prefix}/readings/#",),
                                              vehicle_topics=(f"{prefix}/vehicles/#",), shared_group=prefix),
                      prefix=prefix)


def run_in_thread(door, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=door.run, args=(stop,), daemon=True)
    thread.start()
    return thread
