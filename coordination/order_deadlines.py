"""Deadlines of the tasks the dispatch service gives outside any SOP run: dispatch orders and
move-ups. An SOP task's deadlines are the run's timers, with its escalation ladder; these have no
run, so a missed one is raised to the duty officer here, once per deadline, by the same tick that
fires the timers. Each is claimed by a conditional update in the transaction that raises it, so
several workers never raise it twice, and one missed while the server was down is raised as soon
as it is back."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import select, update

from coordination.clock import Clock
from coordination.integrity import OPEN_TASK_STATUSES
from coordination.officer_alerts import raise_officer_alert
from coordination.store.database import Store
from coordination.store.tables import Task

log = structlog.get_logger(__name__)

BATCH_SIZE = 200


def alert_missed_order_deadlines(*, store: Store, clock: Clock, batch_size: int = BATCH_SIZE) -> int:
    """Raise every missed, not yet raised deadline of a run-less task; return how many were raised."""
    now = clock.now()
    open_orders = (Task.run_id.is_(None), Task.status.in_(OPEN_TASK_STATUSES))
    with store.transaction() as session:
        unacknowledged = session.scalars(
            select(Task.id).where(*open_orders, Task.acknowledged_at.is_(None), Task.ack_due_at <= now,
                                  Task.ack_missed_at.is_(None)).order_by(Task.ack_due_at).limit(batch_size)
        ).all()
        unfinished = session.scalars(
            select(Task.id).where(*open_orders, Task.complete_due_at <= now, Task.completion_missed_at.is_(None))
            .order_by(Task.complete_due_at).limit(batch_size)
        ).all()
    raised = 0
    for task_id in unacknowledged:
        raised += _raise(store=store, now=clock.now(), task_id=task_id, deadline="acknowledgement")
    for task_id in unfinished:
        raised += _raise(store=store, now=clock.now(), task_id=task_id, deadline="completion")
    return raised


def _raise(*, store: Store, now: datetime, task_id: uuid.UUID, deadline: str) -> int:
    marker = Task.ack_missed_at if deadline == "acknowledgement" else Task.completion_missed_at
    with store.transaction() as session:
        claim = update(Task).where(Task.id == task_id, marker.is_(None),
                                   Task.status.in_(OPEN_TASK_STATUSES)).values({marker: now})
        if deadline == "acknowledgement":
            claim = claim.where(Task.acknowledged_at.is_(None))
        if session.execute(claim).rowcount != 1:
            return 0  # answered meanwhile, or another worker raised it
        task = session.get(Task, task_id)
        assert task is not None
        due = task.ack_due_at if deadline == "acknowledgement" else task.complete_due_at
        raise_officer_alert(
            session, at=now, kind=f"order.{'unacknowledged' if deadline == 'acknowledgement' else 'overdue'}",
            incident_id=task.incident_id,
            summary=f"{task.agency.code} missed the {deadline} deadline ({due:%H:%M:%S} UTC) of: {task.instruction}",
            data={"task_id": str(task.id), "agency": task.agency.code, "step_id": task.step_id, "deadline": deadline},
        )
        log.info("order.deadline_missed", task_id=str(task.id), agency=task.agency.code, deadline=deadline)
        return 1
