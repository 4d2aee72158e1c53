"""The one intake path every door uses: decode, validate against the registry, store the batch
(readings, latest values, dead letters) in one transaction, count, and hand the readings to the
trigger rules.

Nothing is dropped silently and nothing stops the intake: a message that is not SenML (or not a
notification), and each record that fails a check, becomes a dead letter with its reason, its
payload and where it came from, and is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from coordination.clock import Clock
from coordination.duplicates import DuplicatePolicy
from coordination.intake.ngsi_ld import decode_notification
from coordination.intake.records import Reading, Refusal, ResolvedRecord
from coordination.intake.registry_cache import RegistryCache
from coordination.intake.senml import MalformedPack, decode_pack, kept_payload
from coordination.intake.settings import ReadingRetention
from coordination.intake.storage import advance_latest, insert_dead_letters, insert_readings
from coordination.intake.validation import SensorFacts, sensor_named, validate
from coordination.metrics import INTAKE_READINGS, INTAKE_REFUSALS
from coordination.rule_service import evaluate_and_act
from coordination.rules import Observation
from coordination.sensors.kinds import SensorKind
from coordination.store import Store

Format = Literal["senml", "ngsi-ld"]


@dataclass(frozen=True)
class IncomingMessage:
    """One message as a door received it."""

    source: str
    """The door: mqtt, http or ngsi-ld."""
    origin: str
    """The MQTT topic, or the integration token's name."""
    payload: bytes
    format: Format = "senml"
    topic_sensor: str | None = None
    """The sensor the MQTT topic names (its last level), whose readings alone it may carry."""


@dataclass
class IntakeResult:
    stored: int = 0
    """Readings new to the store."""
    repeated: int = 0
    """Readings already stored (a redelivery, a retry): nothing changed."""
    refusals: list[Refusal] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    acted: int = 0
    """Rule outcomes acted on (incidents declared, linked, revised; alerts; maintenance)."""


@dataclass
class Intake:
    """The intake path, shared by the doors of one process."""

    store: Store
    clock: Clock
    kinds: dict[str, SensorKind]
    retention: ReadingRetention = ReadingRetention()
    duplicates: DuplicatePolicy = DuplicatePolicy()
    feed_rules: bool = True
    registry: RegistryCache | None = None

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = RegistryCache(self.store)

    def take(self, messages: Sequence[IncomingMessage]) -> IntakeResult:
        """Take in a batch of messages; return what became of them (after the batch is committed)."""
        now = self.clock.now()
        result = IntakeResult()
        accepted: dict[str, tuple[Reading, str]] = {}
        refused: list[tuple[Refusal, str, str]] = []
        registry = self.registry.current()
        for message in messages:
            try:
                records = self._decode(message, registry, now)
                names = {record.name for record in records} | ({message.topic_sensor} if message.topic_sensor else set())
                if any(sensor_named(registry, name) is None for name in names):
                    registry = self.registry.refreshed_for(names)
                    records = self._decode(message, registry, now)
            except MalformedPack as error:
                refused.append((error.refusal, message.source, message.origin))
                continue
            readings, refusals = validate(records, registry=registry, kinds=self.kinds, now=now,
                                          retention=self.retention, topic_sensor=message.topic_sensor)
            for reading in readings:
                accepted.setdefault(reading.reading_id, (reading, message.source))
            refused.extend((refusal, message.source, message.origin) for refusal in refusals)
        with self.store.engine.begin() as connection:
            inserted = insert_readings(connection, list(accepted.values()), received_at=now)
            advance_latest(connection, [reading for reading, _ in accepted.values()], received_at=now)
            insert_dead_letters(connection, refused, received_at=now)
        self._count(accepted, inserted, refused)
        result.stored, result.repeated = len(inserted), len(accepted) - len(inserted)
        result.refusals = [refusal for refusal, _, _ in refused]
        result.readings = [reading for reading, _ in accepted.values()]
        if self.feed_rules and result.readings:
            # Repeated readings go to the rules too: one stored by a consumer that stopped before
            # its rules ran comes back with the broker's redelivery. The engine ignores a reading
            # no newer than the last it saw of that sensor, so nothing is decided twice.
            result.acted = evaluate_and_act(store=self.store, clock=self.clock, duplicates=self.duplicates,
                                            readings=[observation_of(reading, registry) for reading in result.readings])
        return result

    def keep_failed(self, message: IncomingMessage, error: Exception) -> None:
        """Keep a message whose taking raised an unexpected error as a dead letter (problem `failed`)."""
        refusal = Refusal(problem="failed", reason=f"taking it failed: {type(error).__name__}: {error}"[:2000],
                          payload=kept_payload(message.payload))
        with self.store.engine.begin() as connection:
            insert_dead_letters(connection, [(refusal, message.source, message.origin)], received_at=self.clock.now())
        INTAKE_READINGS.labels(source=message.source, outcome="refused").inc()
        INTAKE_REFUSALS.labels(source=message.source, problem="failed").inc()

    @staticmethod
    def _decode(message: IncomingMessage, registry, now) -> list[ResolvedRecord]:
        if message.format == "ngsi-ld":
            return decode_notification(message.payload, registry=registry, now=now)
        return decode_pack(message.payload, now=now)

    @staticmethod
    def _count(accepted: dict[str, tuple[Reading, str]], inserted: set[str],
               refused: list[tuple[Refusal, str, str]]) -> None:
        # Counted per label set, then added: a counter's labels() per reading cost a twentieth of a batch.
        readings: Counter[tuple[str, str]] = Counter(
            (source, "stored" if reading_id in inserted else "repeated") for reading_id, (_, source) in accepted.items())
        readings.update((source, "refused") for _, source, _ in refused)
        for (source, outcome), count in readings.items():
            INTAKE_READINGS.labels(source=source, outcome=outcome).inc(count)
        for (source, problem), count in Counter((source, refusal.problem) for refusal, source, _ in refused).items():
            INTAKE_REFUSALS.labels(source=source, problem=problem).inc(count)


def observation_of(reading: Reading, registry) -> Observation:
    """A stored reading as the rules read it, with its sensor's kind, place and agency."""
    sensor: SensorFacts = registry[reading.sensor_id]
    return Observation(reading_id=reading.reading_id, sensor_id=reading.sensor_id, kind=sensor.kind,
                       value=reading.value, unit=reading.unit, observed_at=reading.observed_at,
                       longitude=sensor.longitude, latitude=sensor.latitude, agency=sensor.agency)
