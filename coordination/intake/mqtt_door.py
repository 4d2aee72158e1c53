"""The MQTT door: subscribes on the city's broker and hands each batch of messages to the intake,
acknowledging them (QoS 1 PUBACK) only after the batch is committed.

An edge, like the webhook sender. paho-mqtt's network thread only queues what arrives; the
calling thread takes batches off the queue, runs the intake, then acknowledges. A consumer killed
at any instant has acknowledged only what it committed: the broker keeps the rest in the
consumer's session (a fixed client id, clean start off, a session expiry) and delivers it again
when the consumer comes back; the reading's id makes that redelivery change nothing. While the
database is unreachable the batch is kept and tried again, never acknowledged.

Several `iccc intake` processes share one stream through an MQTT 5 shared subscription
(`$share/iccc/<filter>`): the broker gives each message to one of them.
"""

from __future__ import annotations

import os
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy.exc import InterfaceError, OperationalError

from coordination.intake.pipeline import IncomingMessage, Intake
from coordination.intake.settings import BrokerSettings

log = structlog.get_logger(__name__)

BATCH_MAX = 500
BATCH_WAIT_S = 0.02  # gather what arrives within 20 ms into one transaction: cheap latency, far fewer commits
RETRY_S = (0.5, 1, 2, 5, 10)  # the database is down: try the same batch again, never acknowledge it meanwhile
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
"""Errors of the database being away (or locked for too long): the batch is tried again."""


class _Stopping(Exception):
    """The consumer is stopping while it waits to try a batch again."""


def topic_matches(topic_filter: str, topic: str) -> bool:
    """Whether `topic` matches an MQTT topic filter (with `+` and `#`)."""
    return mqtt.topic_matches_sub(topic_filter, topic)


@dataclass
class DoorCounts:
    batches: int = 0
    messages: int = 0
    retries: int = 0


class MqttDoor:
    """One consumer of the readings' (and vehicles' and devices' answers') topics on one broker."""

    def __init__(self, *, broker: BrokerSettings, intake: Intake,
                 vehicles: Callable[[Sequence[mqtt.MQTTMessage]], None] | None = None,
                 device_answers: Callable[[Sequence[mqtt.MQTTMessage]], None] | None = None,
                 batch_max: int = BATCH_MAX, batch_wait_s: float = BATCH_WAIT_S):
        self._broker = broker
        self._intake = intake
        self._vehicles = vehicles
        self._device_answers = device_answers
        self._batch_max = batch_max
        self._batch_wait_s = batch_wait_s
        self._arrived: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._connected = threading.Event()
        self.counts = DoorCounts()
        self.client_id = broker.client_id or f"iccc-intake-{socket.gethostname()}-{os.getpid()}"
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        v5 = self._broker.protocol == 5
        persistent = bool(self._broker.client_id)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
                             clean_session=None if v5 else not persistent, manual_ack=True)
        if self._broker.username:
            client.username_pw_set(self._broker.username, self._broker.password or None)
        if self._broker.tls:
            client.tls_set(ca_certs=str(self._broker.ca_file) if self._broker.ca_file else None,
                           cert_reqs=ssl.CERT_REQUIRED)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = lambda _client, _userdata, message: self._arrived.put(message)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client

    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("intake.mqtt_refused", reason=str(reason_code), host=self._broker.host, port=self._broker.port)
            return
        subscriptions = (self._broker.subscriptions + (self._broker.vehicle_subscriptions if self._vehicles else ())
                         + (self._broker.device_subscriptions if self._device_answers else ()))
        client.subscribe([(topic, 1) for topic in subscriptions])
        log.info("intake.mqtt_connected", host=self._broker.host, port=self._broker.port, client_id=self.client_id,
                 subscriptions=list(subscriptions))
        self._connected.set()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        self._connected.clear()
        log.warning("intake.mqtt_disconnected", reason=str(reason_code))

    def connect(self) -> None:
        """Connect and start the network thread (it reconnects by itself after a drop)."""
        properties = None
        clean_start: bool | int = mqtt.MQTT_CLEAN_START_FIRST_ONLY
        if self._broker.protocol == 5:
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = self._broker.session_expiry_s if self._broker.client_id else 0
            clean_start = not bool(self._broker.client_id)
        self._client.connect(self._broker.host, self._broker.port, keepalive=30, clean_start=clean_start,
                             properties=properties)
        self._client.loop_start()

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self._client.disconnect()
        self._client.loop_stop()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    def run(self, stop: threading.Event) -> None:
        """Take batches until `stop` is set; then finish the batch in hand and disconnect."""
        try:
            while not stop.is_set():
                batch = self._next_batch(stop)
                if batch:
                    self._handle(batch, stop)
        finally:
            self.close()

    def _next_batch(self, stop: threading.Event) -> list[mqtt.MQTTMessage]:
        try:
            first = self._arrived.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self._batch_wait_s
        while len(batch) < self._batch_max and not stop.is_set():
            remaining = deadline - time.monotonic()
            try:
                batch.append(self._arrived.get(timeout=remaining) if remaining > 0 else self._arrived.get_nowait())
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list[mqtt.MQTTMessage], stop: threading.Event) -> None:
        try:
            self._take(batch, stop)
        except _Stopping:
            return  # the broker delivers the unacknowledged batch again
        except Exception:
            # Not the database being away (that is retried): something in the batch. Take the
            # messages one by one, and keep the one that fails as a dead letter, so that one
            # poison message cannot hold up the stream.
            log.exception("intake.batch_failed_on_its_content", messages=len(batch))
            for message in batch:
                try:
                    self._take([message], stop)
                except _Stopping:
                    return
                except Exception as error:
                    log.exception("intake.message_failed", topic=message.topic)
                    self._retrying(lambda: self._intake.keep_failed(self._incoming(message), error), stop)
        for message in batch:
            self._client.ack(message.mid, message.qos)
        self.counts.batches += 1
        self.counts.messages += len(batch)

    def _take(self, batch: list[mqtt.MQTTMessage], stop: threading.Event) -> None:
        vehicles = [message for message in batch if self._is_vehicle(message.topic)]
        answers = [message for message in batch if self._is_device_answer(message.topic)]
        readings = [self._incoming(message) for message in batch
                    if not self._is_vehicle(message.topic) and not self._is_device_answer(message.topic)]
        if readings:
            self._retrying(lambda: self._intake.take(readings), stop)
        if vehicles:
            self._retrying(lambda: self._vehicles(vehicles), stop)
        if answers:
            self._retrying(lambda: self._device_answers(answers), stop)

    def _retrying(self, work: Callable[[], object], stop: threading.Event) -> None:
        """Run `work`, again and again while the database cannot be reached; raise anything else."""
        for attempt in range(10**9):
            try:
                work()
                return
            except TRANSIENT as error:
                self.counts.retries += 1
                log.warning("intake.database_unreachable", attempt=attempt + 1, error=str(error)[:200])
                if stop.wait(RETRY_S[min(attempt, len(RETRY_S) - 1)]):
                    raise _Stopping() from None

    @staticmethod
    def _incoming(message: mqtt.MQTTMessage) -> IncomingMessage:
        return IncomingMessage(source="mqtt", origin=message.topic, payload=message.payload,
                               topic_sensor=message.topic.rsplit("/", 1)[-1])

    def _is_vehicle(self, topic: str) -> bool:
        return self._vehicles is not None and any(topic_matches(topic_filter, topic)
                                                  for topic_filter in self._broker.vehicle_topics)

    def _is_device_answer(self, topic: str) -> bool:
        return self._device_answers is not None and any(topic_matches(topic_filter, topic)
                                                        for topic_filter in self._broker.device_topics)
