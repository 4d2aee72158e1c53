"""City data in: readings by MQTT, NGSI-LD notifications and HTTP batches, validated in one
path (`validation`, pure), stored in batches outside the timeline's writer lock, and handed to
the trigger rules."""

from coordination.intake.pipeline import IncomingMessage, Intake, IntakeResult, observation_of
from coordination.intake.records import PROBLEMS, Reading, ReadingsRefused, Refusal, ResolvedRecord, reading_id_for
from coordination.intake.registry_cache import RegistryCache, load_registry
from coordination.intake.settings import BrokerSettings, ReadingRetention
from coordination.intake.validation import SensorFacts, validate

__all__ = [
    "PROBLEMS", "BrokerSettings", "IncomingMessage", "Intake", "IntakeResult", "Reading", "ReadingRetention", "ReadingsRefused", "Refusal",
    "RegistryCache", "ResolvedRecord", "SensorFacts", "load_registry", "observation_of", "reading_id_for", "validate",
]
