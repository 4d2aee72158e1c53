"""The integrity board: everything that could be stalling, in one place, so that nothing can
stall silently. Missed deadlines, escalations still open, dead-lettered webhooks, decisions
overdue, SOP runs that have not moved for a while with nothing scheduled to move them, sensors
gone silent, readings the intake refused and device commands not confirmed by their deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from coordination.devices import overdue_commands
from coordination.lifecycles import OPEN_TASK_STATUSES, DeliveryStatus, DutyRequestStatus, TimerStatus
from coordination.sensors.queries import stale_sensors
from coordination.store.tables import (
    DeviceCommand,
    DutyRequest,
    Escalation,
    IntakeDeadLetter,
    Sensor,
    SopRunEvent,
    SopRunRecord,
    Task,
    Timer,
    WebhookMessage,
)
from sop_engine import RunStatus

STALE_AFTER = timedelta(minutes=30)
"""A running SOP with no event for this long and no deadline pending is reported as stalled:
longer than any acknowledgement deadline in the library, shorter than a shift's attention span."""
INTAKE_DEAD_LETTERS_WINDOW = timedelta(days=1)
INTAKE_DEAD_LETTERS_SHOWN = 20



@dataclass
class IntegrityReport:
    overdue_tasks: list[Task] = field(default_factory=list)
    overdue_decisions: list[DutyRequest] = field(default_factory=list)
    open_escalations: list[Escalation] = field(default_factory=list)
    dead_letters: list[WebhookMessage] = field(default_factory=list)
    stalled_runs: list[tuple[SopRunRecord, datetime]] = field(default_factory=list)
    stale_sensors: list[Sensor] = field(default_factory=list)
    intake_dead_letters: list[IntakeDeadLetter] = field(default_factory=list)
    """The newest readings the intake refused in the last day (at most `INTAKE_DEAD_LETTERS_SHOWN`)."""
    intake_dead_letters_total: int = 0
    unconfirmed_commands: list[DeviceCommand] = field(default_factory=list)
    """Device commands past their deadline with no answer (of the last day), longest overdue first."""

    @property
    def is_clear(self) -> bool:
        return not (self.overdue_tasks or self.overdue_decisions or self.open_escalations or self.dead_letters
                    or self.stalled_runs or self.stale_sensors or self.intake_dead_letters
                    or self.unconfirmed_commands)


def integrity_report(*, session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> IntegrityReport:
    """Return what needs a duty officer's attention at `now`."""
    report = IntegrityReport()
    report.overdue_tasks = list(session.scalars(
        select(Task).where(
            Task.status.in_(OPEN_TASK_STATUSES),
            or_(Task.complete_due_at < now, (Task.ack_due_at < now) & Task.acknowledged_at.is_(None)),
        ).order_by(Task.ack_due_at)
    ).unique())
    report.overdue_decisions = list(session.scalars(
        select(DutyRequest).where(DutyRequest.status == DutyRequestStatus.OPEN, DutyRequest.due_at < now)
        .order_by(DutyRequest.due_at)
    ))
    running = select(SopRunRecord.id).where(SopRunRecord.status == RunStatus.RUNNING.value)
    escalations = session.scalars(
        select(Escalation).where(Escalation.run_id.in_(running)).order_by(Escalation.raised_at.desc())
    ).all()
    records = {record.id: record for record in session.scalars(select(SopRunRecord).where(SopRunRecord.id.in_(running)))}
    seen: set[tuple] = set()
    for escalation in escalations:  # newest first: keep the highest rung reached per step and task
        steps = records[escalation.run_id].state["steps"]
        where = (escalation.run_id, escalation.step_id, escalation.task_id)
        if where not in seen and steps.get(escalation.step_id, {}).get("status") == "active":
            report.open_escalations.append(escalation)
        seen.add(where)
    report.dead_letters = list(session.scalars(
        select(WebhookMessage).where(WebhookMessage.status == DeliveryStatus.DEAD).order_by(WebhookMessage.created_at)
    ).unique())
    last_events = dict(session.execute(
        select(SopRunEvent.run_id, func.max(SopRunEvent.at)).where(SopRunEvent.run_id.in_(running))
        .group_by(SopRunEvent.run_id)
    ).all())
    with_pending_deadlines = set(session.scalars(
        select(Timer.run_id).where(Timer.status == TimerStatus.PENDING, Timer.run_id.in_(running))
    ))
    for run_id, record in records.items():
        last = last_events.get(run_id, record.started_at)
        if now - last >= stale_after and run_id not in with_pending_deadlines:
            report.stalled_runs.append((record, last))
    report.stalled_runs.sort(key=lambda item: item[1])
    report.stale_sensors = stale_sensors(session=session, now=now)
    since = now - INTAKE_DEAD_LETTERS_WINDOW
    report.intake_dead_letters = list(session.scalars(
        select(IntakeDeadLetter).where(IntakeDeadLetter.received_at >= since)
        .order_by(IntakeDeadLetter.seq.desc()).limit(INTAKE_DEAD_LETTERS_SHOWN)))
    report.intake_dead_letters_total = session.scalar(
        select(func.count()).select_from(IntakeDeadLetter).where(IntakeDeadLetter.received_at >= since))
    report.unconfirmed_commands = overdue_commands(session, now)
    return report
