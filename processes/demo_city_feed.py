"""The demo city's systems on MQTT: simulated drain gauges, rain gauges, SCADA (feeder current,
main pressure), air quality and a panic button publishing SenML, and vehicle trackers publishing
unit positions, all to the demo's broker; the demo's devices (message signs, pumps, a barrier, a
siren) answering the commands they are sent; and the engine's own consumer (the MQTT door) taking
readings, positions and answers in. Every few minutes a cloudburst raises three neighbouring drains
over their mark: the shipped flood rule declares a flood, the urban-flood SOP starts from readings
alone, and its signs and pumps confirm their commands."""

from __future__ import annotations

import json
import math
import random
import threading
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from coordination import Clock, Store
from coordination.device_confirmations import DeviceConfirmations
from coordination.intake import BrokerSettings, Intake
from coordination.intake.mqtt_door import MqttDoor
from coordination.sensors.demo_sensors import DEMO_SENSORS
from coordination.vehicle_stream import VehicleStream

log = structlog.get_logger(__name__)

TICK_S = 10.0
DEVICE_ANSWER_S = 2.0
"""How long a demo device takes to carry out a command and confirm it (a sign's controller, a pump's
starter): long enough to see the command sent, then confirmed, on the incident page."""
CLOUDBURST_LEVEL_M = 0.9  # over the flood rule's 0.6 m mark, under its 1.0 m severe band


@dataclass(frozen=True)
class TrackedUnit:
    agency: str
    code: str
    longitude: float
    latitude: float


def demo_topic_base(run_id: str) -> str:
    """The demo's own topics (`iccc/demo-<run>/readings/<sensor>`, `.../vehicles/<agency>/<unit>/position`):
    two demos on one broker never take each other's readings."""
    return f"iccc/demo-{run_id}"


class DemoCityFeed:
    """Publishes the simulated city's readings and positions, and consumes them with the MQTT door."""

    def __init__(self, *, broker: BrokerSettings, topic_base: str, store: Store, clock: Clock, intake: Intake,
                 units: list[TrackedUnit], cloudburst_every_s: float = 180.0, first_cloudburst_s: float = 30.0,
                 rng: random.Random | None = None):
        self._broker = broker
        self.topic_base = topic_base
        self._clock = clock
        self._units = units
        self._cloudburst_every_s = cloudburst_every_s
        self._first_cloudburst_s = first_cloudburst_s
        self._rng = rng or random.Random(17)
        self._stop = threading.Event()
        self._door = MqttDoor(broker=broker, intake=intake, vehicles=VehicleStream(store=store, clock=clock).take,
                              device_answers=DeviceConfirmations(store=store, clock=clock).take)
        self._publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="iccc-demo-city",
                                      protocol=MQTTProtocolVersion.MQTTv5 if broker.protocol == 5
                                      else MQTTProtocolVersion.MQTTv311)
        self._threads: list[threading.Thread] = []
        self._answers: list[threading.Timer] = []
        self.cloudbursts = 0
        self.commands_answered = 0

    def start(self) -> None:
        self._door.connect()
        self._door.wait_connected(10)
        self._publisher.on_message = self._device_commanded
        self._publisher.on_connect = lambda client, *_: client.subscribe(f"{self.topic_base}/devices/+/command", qos=1)
        self._publisher.connect(self._broker.host, self._broker.port)
        self._publisher.loop_start()
        for name, target in (("demo-intake", lambda: self._door.run(self._stop)), ("demo-city", self._publish)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for answer in self._answers:
            answer.cancel()
        for thread in self._threads:
            thread.join(10)
        self._publisher.disconnect()
        self._publisher.loop_stop()

    def _device_commanded(self, client: mqtt.Client, _userdata, message: mqtt.MQTTMessage) -> None:
        """A demo device carries out what it is told and confirms it on its own answer topic."""
        try:
            command = json.loads(message.payload)
            command_id = str(command["command_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("demo.device_command_unreadable", topic=message.topic)
            return
        answer_topic = message.topic.removesuffix("/command") + "/confirm"
        body = json.dumps({"command_id": command_id, "status": "done"})

        def confirm() -> None:
            client.publish(answer_topic, body, qos=1)
            self.commands_answered += 1

        timer = threading.Timer(DEVICE_ANSWER_S, confirm)
        timer.daemon = True
        self._answers = [answer for answer in self._answers if answer.is_alive()] + [timer]
        timer.start()

    def _publish(self) -> None:
        started = time.monotonic()
        next_burst = started + self._first_cloudburst_s
        burst_until = 0.0
        burst_drains: tuple[str, ...] = ()
        drains = [item.sensor_id for item in DEMO_SENSORS if item.kind == "water_level"]
        tick = 0
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_burst:
                first = self._rng.randrange(len(drains) - 2)
                burst_drains, burst_until = tuple(drains[first:first + 3]), now + 3 * TICK_S
                next_burst = now + self._cloudburst_every_s
                self.cloudbursts += 1
                log.info("demo.cloudburst", drains=list(burst_drains))
            try:
                self._publish_readings(burst_drains if now < burst_until else ())
                self._publish_positions(tick)
            except Exception:  # a broker hiccup: the next tick publishes again
                log.exception("demo.publish_failed")
            tick += 1
            self._stop.wait(TICK_S)

    def _publish_readings(self, flooded: tuple[str, ...]) -> None:
        stamp = self._clock.now().timestamp()
        for item in DEMO_SENSORS:
            if item.kind == "panic_button":
                record = {"n": item.sensor_id, "vb": False, "t": stamp}
            else:
                value = CLOUDBURST_LEVEL_M if item.sensor_id in flooded else item.normal * (
                    1 + self._rng.uniform(-0.05, 0.05))
                if item.kind == "rain_gauge" and flooded:
                    value = 60.0 + self._rng.uniform(0, 10)  # a burst: the heavy-rain rule wants 30 min of it
                record = {"n": item.sensor_id, "u": item.unit, "v": round(value, 3), "t": stamp}
            self._publisher.publish(f"{self.topic_base}/readings/{item.sensor_id}", json.dumps([record]), qos=1)

    def _publish_positions(self, tick: int) -> None:
        for index, unit in enumerate(self._units):
            angle = (tick + 3 * index) / 6.0
            location = [round(unit.longitude + 0.004 * math.cos(angle), 6),
                        round(unit.latitude + 0.004 * math.sin(angle), 6)]
            body = {"location": {"type": "Point", "coordinates": location}, "fixed_at": self._clock.now().isoformat()}
            self._publisher.publish(f"{self.topic_base}/vehicles/{unit.agency}/{unit.code}/position", json.dumps(body), qos=1)
