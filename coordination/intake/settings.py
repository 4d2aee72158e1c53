"""How the intake reaches the city's broker and how long it keeps readings: plain values, read
from the environment by `web.app.config`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

DEFAULT_TOPICS = ("iccc/readings/#",)
SHARED_GROUP = "iccc"


@dataclass(frozen=True)
class BrokerSettings:
    """The MQTT broker the intake subscribes on (ICCC_MQTT_*)."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str = ""
    password: str = ""
    tls: bool = False
    ca_file: Path | None = None
    """The certificate authority that signs the broker's certificate (None: the system's)."""
    topics: tuple[str, ...] = DEFAULT_TOPICS
    """Topic filters to subscribe to; the last level of a reading's topic names its sensor."""
    vehicle_topics: tuple[str, ...] = ("iccc/vehicles/#",)
    """Topic filters of unit positions and statuses (AVL): `…/<unit code>/position|status`."""
    device_topics: tuple[str, ...] = ("iccc/devices/+/confirm",)
    """Topic filters of the devices' answers to commands (each device answers on its registered
    confirmation topic, which one of these must match)."""
    shared_group: str = SHARED_GROUP
    """MQTT 5 shared subscription group (`$share/<group>/<filter>`): every `iccc intake` in the
    group takes a share of the stream. Empty: a plain subscription (MQTT 3.1.1 brokers)."""
    protocol: int = 5
    """5 (MQTT 5) or 4 (MQTT 3.1.1, no shared subscriptions)."""
    client_id: str = ""
    """Fixed per process, so the broker keeps its session (and the readings delivered but not
    acknowledged) while it restarts. Empty: `iccc-intake-<host>-<pid>` (nothing kept)."""
    session_expiry_s: int = 3600

    @property
    def subscriptions(self) -> tuple[str, ...]:
        return tuple(self._shared(topic) for topic in self.topics)

    @property
    def vehicle_subscriptions(self) -> tuple[str, ...]:
        return tuple(self._shared(topic) for topic in self.vehicle_topics)

    @property
    def device_subscriptions(self) -> tuple[str, ...]:
        return tuple(self._shared(topic) for topic in self.device_topics)

    def _shared(self, topic: str) -> str:
        return f"$share/{self.shared_group}/{topic}" if self.shared_group and self.protocol == 5 else topic


@dataclass(frozen=True)
class ReadingRetention:
    """How long readings stay as taken, in what buckets they are then kept, and for how long."""

    raw: timedelta = timedelta(days=7)
    bucket: timedelta = timedelta(hours=1)
    keep: timedelta = timedelta(days=365)
    future_skew: timedelta = timedelta(minutes=5)
    """A reading stamped further ahead of the engine's clock than this is refused (a device with
    a wrong clock would hold a rule's window open, or close it, at will)."""
