"""The device publisher: takes queued commands from the outbox and publishes them to each
device's command topic, QoS 1, marking each sent only when the broker acknowledges it (PUBACK).

An edge, like the webhook sender. Each round claims queued commands under a lease (so a second
worker leaves them alone, and a worker that dies mid-publish leaves them to be published again),
publishes outside any transaction, then records the acknowledged ones. Delivery is at least once:
a command published again after a lost PUBACK carries the same `command_id`, by which the device
drops the repeat. A command still unacknowledged at its deadline is never published: it is
marked overdue (`commands.mark_overdue`), and its step's ladder takes over.

The message, JSON: `{"command_id", "device_id", "action", "payload", "issued_at", "due_at"}`;
on MQTT 5 it expires at its deadline, so a device that reconnects later is not handed it.
"""

from __future__ import annotations

import json
import math
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import paho.mqtt.client as mqtt
import structlog
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.devices import mark_overdue
from coordination.intake.settings import BrokerSettings
from coordination.lifecycles import DeviceCommandStatus
from coordination.store import Store
from coordination.store.tables import DeviceCommand

log = structlog.get_logger(__name__)

PUBACK_WAIT_S = 10.0  # a broker on the city's network acknowledges in milliseconds; ten seconds is an outage
CLAIM_LEASE_S = 30  # longer than the wait for the acknowledgements, so a live publisher never loses its claim
CONNECT_WAIT_S = 5.0
BATCH_SIZE = 200


@dataclass(frozen=True)
class OutgoingCommand:
    command_id: str
    topic: str
    body: bytes
    due_at: datetime


@dataclass
class PublishRound:
    sent: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    """Published but not acknowledged in time, or refused by the broker: tried again after the lease."""
    overdue: list[str] = field(default_factory=list)


def command_message(command: DeviceCommand) -> bytes:
    """The JSON a device receives."""
    return json.dumps({"command_id": command.command_id, "device_id": command.device_id, "action": command.action,
                       "payload": command.payload, "issued_at": command.issued_at.isoformat(),
                       "due_at": command.due_at.isoformat()}, separators=(",", ":")).encode("utf-8")


def claim_queued(session: Session, *, now: datetime, batch_size: int = BATCH_SIZE) -> list[OutgoingCommand]:
    """Claim queued commands not yet due and not claimed by a live publisher, oldest first."""
    claimable = (DeviceCommand.status == DeviceCommandStatus.QUEUED, DeviceCommand.due_at > now,
                 (DeviceCommand.claimed_until.is_(None)) | (DeviceCommand.claimed_until <= now))
    # A plain read first: the locking one takes PostgreSQL's writer lock, which an idle tick each
    # second must not (writers are serial: every one would wait for it).
    if session.scalar(select(DeviceCommand.command_id).where(*claimable).limit(1)) is None:
        return []
    query = (select(DeviceCommand).where(*claimable)
             .order_by(DeviceCommand.issued_at, DeviceCommand.command_id).limit(batch_size))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=DeviceCommand)
    claimed = []
    for command in session.scalars(query).unique():
        command.claimed_until = now + timedelta(seconds=CLAIM_LEASE_S)
        command.publish_attempts += 1
        claimed.append(OutgoingCommand(command.command_id, command.device.command_topic, command_message(command),
                                       command.due_at))
    return claimed


def record_sent(*, store: Store, clock: Clock, command_ids: list[str]) -> None:
    """Mark acknowledged commands sent. Only a queued one moves (a device may have confirmed
    before the acknowledgement was recorded): the condition is the status table's queued -> sent."""
    if not command_ids:
        return
    now = clock.now()
    with store.transaction() as session:
        session.execute(update(DeviceCommand).where(
            DeviceCommand.command_id.in_(command_ids), DeviceCommand.status == DeviceCommandStatus.QUEUED)
            .values(status=DeviceCommandStatus.SENT, sent_at=now, claimed_until=None))
        session.execute(update(DeviceCommand).where(
            DeviceCommand.command_id.in_(command_ids), DeviceCommand.sent_at.is_(None)).values(sent_at=now))


class CommandPublisher:
    """Publishes the outbox's device commands on one broker connection, made when first needed."""

    def __init__(self, *, store: Store, clock: Clock, broker: BrokerSettings, puback_wait_s: float = PUBACK_WAIT_S):
        self._store, self._clock, self._broker = store, clock, broker
        self._puback_wait_s = puback_wait_s
        self._client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._refused: dict[int, str] = {}
        self.client_id = f"iccc-devices-{socket.gethostname()}-{os.getpid()}"

    def publish_due(self) -> PublishRound:
        """Mark the overdue, then publish what is queued; return what became of each command."""
        done = PublishRound()
        now = self._clock.now()
        with self._store.transaction() as session:  # one a tick: on SQLite each transaction is a write lock
            done.overdue = [command.command_id for command in mark_overdue(session, now=now)]
            claimed = claim_queued(session, now=now)
        if not claimed:
            return done
        if not self._connect():
            log.warning("devices.broker_unreachable", host=self._broker.host, port=self._broker.port,
                        commands=len(claimed))
            done.unacknowledged = [item.command_id for item in claimed]
            return done
        done.sent, done.unacknowledged = self._publish(claimed)
        record_sent(store=self._store, clock=self._clock, command_ids=done.sent)
        if done.unacknowledged:
            log.warning("devices.unacknowledged", commands=done.unacknowledged)
        return done

    def close(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def _publish(self, claimed: list[OutgoingCommand]) -> tuple[list[str], list[str]]:
        client = self._client
        assert client is not None
        now = self._clock.now()
        infos = []
        for item in claimed:
            properties = None
            if self._broker.protocol == 5:
                properties = Properties(PacketTypes.PUBLISH)
                properties.MessageExpiryInterval = max(1, math.ceil((item.due_at - now).total_seconds()))
            infos.append((item, client.publish(item.topic, item.body, qos=1, properties=properties)))
        deadline = time.monotonic() + self._puback_wait_s
        sent, unacknowledged = [], []
        for item, info in infos:
            try:
                info.wait_for_publish(timeout=max(0.0, deadline - time.monotonic()))
                acknowledged = info.is_published()
            except (RuntimeError, ValueError) as error:
                log.warning("devices.publish_failed", command_id=item.command_id, error=str(error))
                acknowledged = False
            refusal = self._refused.pop(info.mid, None)
            if refusal is not None:
                log.warning("devices.publish_refused", command_id=item.command_id, topic=item.topic, reason=refusal)
            (sent if acknowledged and refusal is None else unacknowledged).append(item.command_id)
        return sent, unacknowledged

    def _connect(self) -> bool:
        if self._client is None:
            self._client = self._make_client()
            try:
                self._client.connect_async(self._broker.host, self._broker.port, keepalive=30)
            except OSError as error:
                log.warning("devices.connect_failed", error=str(error))
            self._client.loop_start()  # reconnects by itself after a drop
        return self._connected.wait(CONNECT_WAIT_S)

    def _make_client(self) -> mqtt.Client:
        v5 = self._broker.protocol == 5
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             protocol=MQTTProtocolVersion.MQTTv5 if v5 else MQTTProtocolVersion.MQTTv311,
                             clean_session=None if v5 else True)
        if self._broker.username:
            client.username_pw_set(self._broker.username, self._broker.password or None)
        if self._broker.tls:
            client.tls_set(ca_certs=str(self._broker.ca_file) if self._broker.ca_file else None,
                           cert_reqs=ssl.CERT_REQUIRED)
        client.max_inflight_messages_set(BATCH_SIZE)
        client.on_connect = lambda _c, _u, _f, reason_code, _p: (
            self._connected.set() if not reason_code.is_failure else
            log.error("devices.mqtt_refused", reason=str(reason_code)))
        client.on_disconnect = lambda *_args: self._connected.clear()
        client.on_publish = self._on_publish
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client

    def _on_publish(self, _client, _userdata, mid, reason_code, _properties) -> None:
        # An MQTT 5 broker acknowledges a publish it refused (not authorised for the topic) with a
        # failure code: that is no delivery.
        if getattr(reason_code, "is_failure", False):
            self._refused[mid] = str(reason_code)
