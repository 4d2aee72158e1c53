"""The coordination service: incidents, SOP runs, tasks, agencies, webhooks, timers, timeline.

It executes what the pure `sop_engine` decides, inside one database transaction per change.
Nothing here reads the wall clock: a `Clock` is passed in.
"""

from coordination.agencies import (
    AgencyRegistration,
    RegisteredAgency,
    new_webhook_secret,
    register_agency,
)
from coordination.api_tokens import authenticate, issue_token
from coordination.audit import ChainBreak, verify_chain
from coordination.clock import Clock, ManualClock
from coordination.demo_city import CITY_CENTRE, DEMO_AGENCIES, seed_demo_agencies
from coordination.errors import (
    Conflict,
    CoordinationError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RecordedRefusal,
    TooManyAttempts,
    Unauthenticated,
    UnsafeWebhookUrl,
)
from coordination.duty import answer_request, stand_down
from coordination.incidents import IncidentDetails, IncidentReport, declare_incident
from coordination.lifecycles import (
    INCIDENT_MOVES,
    TASK_MOVES,
    DeliveryStatus,
    IncidentStatus,
    TaskStatus,
    TimerStatus,
    require_move,
)
from coordination.principals import SYSTEM, Principal, Role
from coordination.revisions import IncidentRevision, RevisionOutcome, revise_incident
from coordination.sop_catalogue import (
    activate_sop_version,
    install_shipped_sops,
    retire_sop_version,
    store_sop_version,
)
from coordination.store import Store, is_current, unavailable_reason, upgrade
from coordination.tasks import Acknowledge, Answer, Complete, Reject, ReportProgress, answer_task, visible_task
from coordination.order_deadlines import alert_missed_order_deadlines
from coordination.timers import fire_due_timers
from coordination.webhooks import MAX_DELIVERY_ATTEMPTS, HttpSender, deliver_due_messages, parse_allowed_hosts

__all__ = [
    "CITY_CENTRE",
    "DEMO_AGENCIES",
    "INCIDENT_MOVES",
    "MAX_DELIVERY_ATTEMPTS",
    "SYSTEM",
    "TASK_MOVES",
    "Acknowledge",
    "AgencyRegistration",
    "Answer",
    "ChainBreak",
    "Clock",
    "Complete",
    "Conflict",
    "CoordinationError",
    "DeliveryStatus",
    "Forbidden",
    "HttpSender",
    "IncidentReport",
    "IncidentRevision",
    "IncidentStatus",
    "InvalidInput",
    "InvalidTransition",
    "ManualClock",
    "NotFound",
    "Principal",
    "RecordedRefusal",
    "RegisteredAgency",
    "RevisionOutcome",
    "Reject",
    "ReportProgress",
    "Role",
    "Store",
    "TaskStatus",
    "TimerStatus",
    "TooManyAttempts",
    "Unauthenticated",
    "UnsafeWebhookUrl",
    "IncidentDetails",
    "activate_sop_version",
    "answer_request",
    "answer_task",
    "retire_sop_version",
    "revise_incident",
    "stand_down",
    "authenticate",
    "declare_incident",
    "deliver_due_messages",
    "fire_due_timers",
    "alert_missed_order_deadlines",
    "seed_demo_agencies",
    "install_shipped_sops",
    "is_current",
    "unavailable_reason",
    "issue_token",
    "new_webhook_secret",
    "parse_allowed_hosts",
    "register_agency",
    "require_move",
    "store_sop_version",
    "upgrade",
    "verify_chain",
    "visible_task",
]
