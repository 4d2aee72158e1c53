"""Deadlines of the tasks the dispatch service gives outside any SOP run: dispatch orders and
move-ups. An SOP task's deadlines are the run's timers, with its escalation ladder; these have no
run, so a missed one is raised to the duty officer here, once per deadline, by the same tick that
fires the timers. Each is claimed by inserting its `MissedOrderDeadline` row (unique per task and
deadline) in the transaction that raises it, so several workers never raise it twice, and one
missed while the server was down is raised as soon as it is back."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coordination.clock import Clock
from coordination.lifecycles import OPEN_TASK_STATUSES
from coordination.officer_alerts import raise_officer_alert
from coordination.store.database import Store
from coordination.store.tables import MissedOrderDeadline, Task

log = structlog.get_logger(__name__)

BATCH_SIZE = 200


def alert_missed_order_deadlines(*, store: Store, clock: Clock, batch_size: int = BATCH_SIZE) -> int:
    """Raise every missed, not yet raised deadline of a run-less task; return how many were raised."""
    now = clock.now()
    due = {
        ACKNOWLEDGEMENT: (Task.ack_due_at <= now) & Task.acknowledged_at.is_(None),
        COMPLETION: Task.complete_due_at <= now,
    }
    found: list[tuple[uuid.UUID, str]] = []
    with store.transaction() as session:
        for deadline, missed in due.items():
            raised = select(MissedOrderDeadline.id).where(MissedOrderDeadline.task_id == Task.id,
                                                          MissedOrderDeadline.deadline == deadline)
            found += [(task_id, deadline) for task_id in session.scalars(
                select(Task.id).where(Task.run_id.is_(None), Task.status.in_(OPEN_TASK_STATUSES), missed,
                                      ~raised.exists()).order_by(Task.created_at).limit(batch_size))]
    return sum(_raise(store=store, now=clock.now(), task_id=task_id, deadline=deadline) for task_id, deadline in found)


ACKNOWLEDGEMENT = "acknowledgement"
COMPLETION = "completion"


def _raise(*, store: Store, now: datetime, task_id: uuid.UUID, deadline: str) -> int:
    try:
        with store.transaction() as session:
            task = session.get(Task, task_id)
            assert task is not None
            if not task.status.is_open or (deadline == ACKNOWLEDGEMENT and task.acknowledged_at is not None):
                return 0  # answered since it was found
            session.add(MissedOrderDeadline(task_id=task_id, deadline=deadline, raised_at=now))
            session.flush()  # another worker's claim makes this fail (on PostgreSQL: after it commits)
            due = task.ack_due_at if deadline == ACKNOWLEDGEMENT else task.complete_due_at
            raise_officer_alert(
                session, at=now, kind="order.unacknowledged" if deadline == ACKNOWLEDGEMENT else "order.overdue",
                incident_id=task.incident_id,
                summary=f"{task.agency.code} missed the {deadline} deadline ({due:%H:%M:%S} UTC) of: "
                        f"{task.instruction}",
                data={"task_id": str(task.id), "agency": task.agency.code, "step_id": task.step_id,
                      "deadline": deadline},
            )
            log.info("order.deadline_missed", task_id=str(task.id), agency=task.agency.code, deadline=deadline)
            return 1
    except IntegrityError:
        return 0  # another worker raised it
