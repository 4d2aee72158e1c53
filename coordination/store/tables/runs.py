"""SOP versions and runs: events fed to a run, tasks, timers, escalations, decisions and notices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.lifecycles import (
    DutyRequestKind,
    DutyRequestStatus,
    TaskStatus,
    TimerStatus,
)
from coordination.store.tables.base import Base, _enum
from sop_engine import AgencyRole, EscalationTarget

if TYPE_CHECKING:  # relationships name their targets; SQLAlchemy finds them in the registry
    from coordination.store.tables.incidents import Incident
    from coordination.store.tables.people import Agency


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


class SopRunEvent(Base):
    """Every event fed to a run, in order: replaying them reproduces the run exactly."""

    __tablename__ = "sop_run_events"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sop_runs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)


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
