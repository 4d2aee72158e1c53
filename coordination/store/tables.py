"""The database tables, as SQLAlchemy 2 typed models. Alembic migrations create them.

Every id is a UUID (safe across nodes) except where a standard fixes the form (the Standard
Webhooks message id); every time is timezone-aware UTC (`UtcDateTime`). Deadlines are columns
(timer due times, next delivery attempts), never in-memory timers, so a restart loses nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from coordination.planner.orders import AssignmentStatus, DemandStatus, RecommendationStatus
from coordination.planner.units import UnitStatus
from coordination.lifecycles import (
    DeliveryStatus,
    DutyRequestKind,
    DutyRequestStatus,
    IncidentStatus,
    TaskStatus,
    TimerStatus,
)
from coordination.principals import Role
from coordination.store.types import UtcDateTime
from sop_engine import AgencyRole, EscalationTarget, Severity

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger autoincrement is only an alias of the rowid on SQLite when declared INTEGER.
SequenceNumber = BigInteger().with_variant(Integer(), "sqlite")


def _enum(enum_class: type) -> SqlEnum:
    return SqlEnum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgencyRole] = mapped_column(_enum(AgencyRole))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A GeoJSON Polygon or MultiPolygon; None means the whole city."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Issue 4: chain of command, overlap priority, secret rotation, endpoint disabling.
    chain_of_command: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """`{"desk": {...}, "supervisor": {...}, "head": {...}}`, each `{name, phone, email}`."""
    priority: Mapped[int] = mapped_column(Integer, default=100)
    """Where jurisdictions overlap and the rule is `primary`, the lowest priority takes the task."""
    previous_webhook_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    """Until then, messages carry a signature with the previous secret too (rotation)."""
    webhook_disabled_at: Mapped[datetime | None]
    """Set when the endpoint answered 410 Gone; nothing is sent until an administrator re-enables it."""
    updated_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer credential. Only a SHA-256 digest of the token is kept (tokens are 256-bit
    random strings, so a fast digest is enough; passwords, which are not, are another matter)."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class SopVersion(Base):
    __tablename__ = "sop_versions"

    sop_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    """The version new incidents start; at most one per SOP."""
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    activated_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    """Retired versions can no longer be activated; runs pinned to them go on."""


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_type: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    status: Mapped[IncidentStatus] = mapped_column(_enum(IncidentStatus), default=IncidentStatus.OPEN)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    place_name: Mapped[str | None] = mapped_column(String(200))
    """Where, in words ("Town Hall", a CAP alert's <areaDesc>); None when only coordinates were given."""
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_phone: Mapped[str] = mapped_column(String(50), default="")
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Optional facts SOP conditions read: casualties, people trapped, hazardous material..."""
    parent_incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    """The incident whose SOP spawned this one (a cascade: flood -> power outage)."""
    spawned_by_step: Mapped[str | None] = mapped_column(String(64))

    runs: Mapped[list[SopRunRecord]] = relationship(back_populates="incident", order_by="SopRunRecord.started_at")
    tasks: Mapped[list[Task]] = relationship(back_populates="incident", order_by="Task.created_at")


class SopRunRecord(Base):
    """A run of one pinned SOP version; `state` is the runtime's own JSON (format-versioned)."""

    __tablename__ = "sop_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    sop_id: Mapped[str] = mapped_column(String(64))
    sop_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer)

    incident: Mapped[Incident] = relationship(back_populates="runs")

    __mapper_args__ = {"version_id_col": revision}


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"), index=True)
    """The SOP run whose step made the task; None for a dispatch order (see `DispatchAssignment`)."""
    step_id: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[AgencyRole] = mapped_column(_enum(AgencyRole))
    instruction: Mapped[str] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.QUEUED)
    created_at: Mapped[datetime]
    ack_due_at: Mapped[datetime]
    complete_due_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    progress_note: Mapped[str] = mapped_column(Text, default="")
    progress_percent: Mapped[int | None] = mapped_column(Integer)
    completion_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="tasks")
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)


class Timer(Base):
    """A run's pending deadline. The tick claims due rows; `status` makes firing exactly-once."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("run_id", "key"),
        Index("ix_timers_due", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"))
    key: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    status: Mapped[TimerStatus] = mapped_column(_enum(TimerStatus), default=TimerStatus.PENDING)
    fired_at: Mapped[datetime | None]


class MissedOrderDeadline(Base):
    """A missed deadline of a run-less task (a dispatch order or a move-up) raised to the duty
    officer; the unique key makes raising it exactly-once across workers. An SOP task's deadlines
    are its run's timers instead."""

    __tablename__ = "missed_order_deadlines"
    __table_args__ = (UniqueConstraint("task_id", "deadline"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"))
    deadline: Mapped[str] = mapped_column(String(16))
    """`acknowledgement` or `completion`."""
    raised_at: Mapped[datetime]


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"))
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    rung: Mapped[int] = mapped_column(Integer)
    target: Mapped[EscalationTarget] = mapped_column(_enum(EscalationTarget))
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]


class TimelineEntry(Base):
    """Append-only and hash-chained: `entry_hash` covers this entry and the previous hash."""

    __tablename__ = "timeline"

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_timeline_kind_seq", "kind", "seq"),)


class WebhookMessage(Base):
    """The transactional outbox: written with the change it reports, sent after commit."""

    __tablename__ = "webhook_messages"
    __table_args__ = (Index("ix_webhook_messages_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The `webhook-id` header, the same on every retry, so receivers can drop duplicates."""
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    attempt_limit: Mapped[int | None] = mapped_column(Integer)
    """Attempts allowed in all (None: `MAX_DELIVERY_ATTEMPTS`); a replay raises it by another round."""

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime]
    latency_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(32))


class SopRunEvent(Base):
    """Every event fed to a run, in order: replaying them reproduces the run exactly."""

    __tablename__ = "sop_run_events"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)


class DutyRequest(Base):
    """What a run waits for from the duty officer: a decision, or approval of a public notice."""

    __tablename__ = "duty_requests"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[DutyRequestKind] = mapped_column(_enum(DutyRequestKind))
    text: Mapped[str] = mapped_column(Text)
    """The decision's question, or the notice's message."""
    options: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[DutyRequestStatus] = mapped_column(_enum(DutyRequestStatus), default=DutyRequestStatus.OPEN)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(String(64))
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class PublicNotice(Base):
    """A notice to the public that a duty officer approved (published as a CAP alert)."""

    __tablename__ = "public_notices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(index=True)


class Station(Base):
    """Where an agency's units are based and return to between calls."""

    __tablename__ = "stations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)


class ResponseUnit(Base):
    """A vehicle or team of one agency: its type, capabilities, status and last AVL position."""

    __tablename__ = "units"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    station_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stations.id"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    """Call sign, e.g. AMB-12."""
    unit_type: Mapped[str] = mapped_column(String(64))
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[UnitStatus] = mapped_column(_enum(UnitStatus), default=UnitStatus.AVAILABLE)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    position_fixed_at: Mapped[datetime | None]
    """Time of the last AVL fix (None: still at its station's position)."""
    committed_priority: Mapped[int] = mapped_column(Integer, default=0)
    """Priority of the incident a dispatched or en-route unit serves, for pre-emption."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)
    station: Mapped[Station | None] = relationship(lazy="joined")


class DispatchDemand(Base):
    """An incident's request for units (from a duty officer or an SOP dispatch step)."""

    __tablename__ = "dispatch_demands"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    needs: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Unit type or capability -> how many units."""
    status: Mapped[DemandStatus] = mapped_column(_enum(DemandStatus), default=DemandStatus.OPEN, index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    sop_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"))
    sop_step_id: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]


class DispatchRecommendation(Base):
    """One run of the dispatch policy over every open demand, and the duty officer's decision."""

    __tablename__ = "dispatch_recommendations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    """The incident whose request produced it (None: a city-wide re-plan)."""
    status: Mapped[RecommendationStatus] = mapped_column(_enum(RecommendationStatus),
                                                         default=RecommendationStatus.PROPOSED)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    sop_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"))
    sop_step_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    plan_status: Mapped[str] = mapped_column(String(32))
    proven_optimal: Mapped[bool] = mapped_column(Boolean)
    solver_status: Mapped[str] = mapped_column(String(64))
    objective: Mapped[int] = mapped_column(BigInteger)
    unserved_weight: Mapped[int] = mapped_column(BigInteger)
    baseline_objective: Mapped[int | None] = mapped_column(BigInteger)
    baseline_unserved_weight: Mapped[int | None] = mapped_column(BigInteger)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Assignments, unserved needs, explanations and options, as the API shows them."""
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]


class DispatchAssignment(Base):
    """A unit sent to an incident by an accepted recommendation, and the task that told its agency."""

    __tablename__ = "dispatch_assignments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispatch_recommendations.id"), index=True)
    demand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispatch_demands.id"), index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"))
    need: Mapped[str] = mapped_column(String(64))
    eta_s: Mapped[int] = mapped_column(Integer)
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus), default=AssignmentStatus.ACTIVE)
    preempted: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatched_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    unit: Mapped[ResponseUnit] = relationship(lazy="joined", innerjoin=True)


class User(Base):
    """A person who signs in to the console. Passwords are kept only as argon2 hashes."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class SignInAttempt(Base):
    """Every password sign-in, kept for rate limiting by username and by address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_username_at", "username", "at"),
        Index("ix_sign_in_attempts_remote_address_at", "remote_address", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64))
    remote_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)

class DrillRun(Base):
    """A drill a planner ran from the console: the scenario as run, its progress, and its KPIs
    (per replication, so two runs can be compared pair by pair) or the error that stopped it."""

    __tablename__ = "drill_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scenario_name: Mapped[str] = mapped_column(String(200))
    scenario_source: Mapped[str] = mapped_column(String(300))
    """Where the scenario came from: a shipped file's name, or `upload: <file name>`."""
    scenario_text: Mapped[str] = mapped_column(Text)
    """The YAML exactly as run, so a run can be read and repeated long after its file changed."""
    seed: Mapped[int] = mapped_column(BigInteger)
    replications: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    engine: Mapped[str] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    """From 0 to 1: the share of simulated time done, over every replication."""
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """`{"replications": [{kpi: value}], "centre": [KPI rows as the KPI page shows them]}`."""
    report_dir: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class OfficerAlert(Base):
    """Something the duty officer must look at: a task routed by the nearest-agency fallback, an
    endpoint disabled by 410 Gone, a dead letter, a CAP alert that could not become an incident."""

    __tablename__ = "officer_alerts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))


class RoutingPolicy(Base):
    """How a role's overlapping jurisdictions share a task: `primary` (one agency) or `all`."""

    __tablename__ = "routing_policies"

    role: Mapped[AgencyRole] = mapped_column(_enum(AgencyRole), primary_key=True)
    overlap: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class CapAlertRecord(Base):
    """A CAP 1.2 alert received; (sender, identifier, sent) is how CAP `references` name it."""

    __tablename__ = "cap_alerts"
    __table_args__ = (UniqueConstraint("sender", "identifier", "sent", name="uq_cap_alerts_reference"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    sender: Mapped[str] = mapped_column(String(500))
    identifier: Mapped[str] = mapped_column(String(500))
    sent: Mapped[str] = mapped_column(String(40))
    """As written in the alert (CAP references repeat it verbatim)."""
    status: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(32))
    """What the engine did: declared, updated, cancelled, exercise, recorded."""
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    received_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    xml: Mapped[str] = mapped_column(Text)
    """As received, signature included, so it can be verified again."""
    signature: Mapped[str] = mapped_column(String(16), default="unchecked", server_default="unchecked")
    """What vouches for its sender (coordination.cap.SignatureOutcome): verified, unsigned or unchecked."""


class PublicWarning(Base):
    """A public warning drafted by an operator outside any SOP, published as a CAP 1.2 alert once a
    duty officer approves it. The CAP text is made at approval and never changes afterwards."""

    __tablename__ = "public_warnings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    drafted_by: Mapped[str] = mapped_column(String(200))
    drafted_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(index=True)
    cap_identifier: Mapped[str | None] = mapped_column(String(200), unique=True)
    cap_xml: Mapped[str | None] = mapped_column(Text)


class DuplicateReport(Base):
    """A report of an incident already open nearby: linked to it instead of opening another."""

    __tablename__ = "duplicate_reports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    incident_type: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    place_name: Mapped[str | None] = mapped_column(String(200))
    """Where this report says it is, in words (it may name the spot differently from the incident)."""
    description: Mapped[str] = mapped_column(Text, default="")
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_phone: Mapped[str] = mapped_column(String(50), default="")
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime]
