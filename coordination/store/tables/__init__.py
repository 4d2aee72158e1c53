"""The database tables, as SQLAlchemy 2 typed models. Alembic migrations create them.

Every id is a UUID (safe across nodes) except where a standard fixes the form (the Standard
Webhooks message id); every time is timezone-aware UTC (`UtcDateTime`). Deadlines are columns
(timer due times, next delivery attempts), never in-memory timers, so a restart loses nothing.
"""

from coordination.store.tables.alerts import CapAlertRecord, CapFeed, CapFeedEntry, PublicWarning
from coordination.store.tables.base import NAMING, Base, SequenceNumber
from coordination.store.tables.devices import Device, DeviceCommand
from coordination.store.tables.drills import DrillRun
from coordination.store.tables.fleet import (
    DispatchAssignment,
    DispatchDemand,
    DispatchRecommendation,
    ResponseUnit,
    Station,
)
from coordination.store.tables.incidents import DuplicateReport, Incident, OfficerAlert
from coordination.store.tables.outbox import DeliveryAttempt, WebhookMessage
from coordination.store.tables.people import (
    Agency,
    ApiToken,
    RoutingPolicy,
    SignInAttempt,
    User,
)
from coordination.store.tables.rules import RuleOutcome, RuleStateRow, RuleVersion
from coordination.store.tables.runs import (
    DutyRequest,
    Escalation,
    MissedOrderDeadline,
    PublicNotice,
    SopRunEvent,
    SopRunRecord,
    SopVersion,
    Task,
    Timer,
)
from coordination.store.tables.sensors import IntakeDeadLetter, Sensor, SensorLatest, SensorReading
from coordination.store.tables.timeline import TimelineEntry

__all__ = [
    "Agency", "ApiToken", "Base", "CapAlertRecord", "DeliveryAttempt", "Device", "DeviceCommand", "DispatchAssignment", "DispatchDemand",
    "DispatchRecommendation", "DrillRun", "IntakeDeadLetter", "DuplicateReport", "DutyRequest", "Escalation", "Incident",
    "MissedOrderDeadline", "NAMING", "OfficerAlert", "PublicNotice", "PublicWarning", "ResponseUnit",
    "RoutingPolicy", "RuleOutcome", "RuleStateRow", "RuleVersion", "SequenceNumber", "Sensor", "SensorLatest", "SensorReading", "SignInAttempt", "SopRunEvent", "SopRunRecord", "SopVersion",
    "Station", "Task", "TimelineEntry", "Timer", "User", "WebhookMessage",
]
