"""Agencies' answers to their tasks: acknowledge, progress, complete, reject.

Each answer is idempotent (repeating it changes nothing and returns the same task), checked
against the task lifecycle, recorded on the timeline and fed to the task's SOP run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Forbidden, InvalidTransition, NotFound
from coordination.lifecycles import TASK_MOVES, TaskStatus, require_move
from coordination.principals import Principal, Role
from coordination.runs import apply_event
from coordination.store.tables import Task
from sop_engine import TaskAcknowledged, TaskCompleted, TaskRejected


@dataclass(frozen=True)
class Acknowledge:
    pass


@dataclass(frozen=True)
class ReportProgress:
    note: str
    percent: int | None = None


@dataclass(frozen=True)
class Complete:
    note: str = ""


@dataclass(frozen=True)
class Reject:
    reason: str


Answer = Union[Acknowledge, ReportProgress, Complete, Reject]

ANSWERING_ROLES = {Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR}
"""A duty officer may answer for an agency that phoned its answer in; it is recorded as theirs."""

READING_ROLES = {Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER}


def visible_task(*, session: Session, principal: Principal, task_id: uuid.UUID, for_update: bool = False) -> Task:
    """Return the task if the principal may see it.

    Raises:
        NotFound: no such task, or it belongs to another agency (whose tasks are invisible).
        Forbidden: the principal's role does not read tasks.
    """
    if principal.role not in READING_ROLES:
        raise Forbidden(f"the {principal.role.value} role does not read tasks")
    query = select(Task).where(Task.id == task_id)
    if principal.role is Role.AGENCY:
        query = query.where(Task.agency_id == principal.agency_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Task)
    task = session.scalars(query).unique().one_or_none()
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def answer_task(*, session: Session, clock: Clock, principal: Principal, task_id: uuid.UUID, answer: Answer) -> Task:
    """Apply an agency's answer to its task and advance the SOP run.

    Raises:
        NotFound: see `visible_task`.
        Forbidden: the principal's role may not answer tasks.
        InvalidTransition: the answer does not fit the task's state (e.g. completing a rejected task).
    """
    if principal.role not in ANSWERING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not answer tasks")
    task = visible_task(session=session, principal=principal, task_id=task_id, for_update=True)
    now = clock.now()
    what = f"task {task.id}"
    if isinstance(answer, Acknowledge):
        if task.acknowledged_at is not None and task.status.is_open or task.status is TaskStatus.COMPLETED:
            return task
        require_move(what, task.status, TaskStatus.ACKNOWLEDGED, TASK_MOVES)
        task.status = TaskStatus.ACKNOWLEDGED
        task.acknowledged_at = now
        summary, event = f"{task.agency.code} acknowledged step {task.step_id}", TaskAcknowledged(str(task.id))
    elif isinstance(answer, ReportProgress):
        if task.status is TaskStatus.IN_PROGRESS and (task.progress_note, task.progress_percent) == (
            answer.note, answer.percent
        ):
            return task
        if task.status in (TaskStatus.QUEUED, TaskStatus.DELIVERED):
            raise InvalidTransition(what, task.status.value, TaskStatus.IN_PROGRESS.value + " (acknowledge it first)")
        require_move(what, task.status, TaskStatus.IN_PROGRESS, TASK_MOVES)
        task.status = TaskStatus.IN_PROGRESS
        task.progress_note = answer.note
        task.progress_percent = answer.percent
        summary, event = f"{task.agency.code} on step {task.step_id}: {answer.note}", None
    elif isinstance(answer, Complete):
        if task.status is TaskStatus.COMPLETED:
            return task
        require_move(what, task.status, TaskStatus.COMPLETED, TASK_MOVES)
        task.status = TaskStatus.COMPLETED
        task.completed_at = now
        task.acknowledged_at = task.acknowledged_at or now
        task.completion_note = answer.note
        summary, event = f"{task.agency.code} completed step {task.step_id}", TaskCompleted(str(task.id))
    else:
        if task.status is TaskStatus.REJECTED:
            return task
        require_move(what, task.status, TaskStatus.REJECTED, TASK_MOVES)
        task.status = TaskStatus.REJECTED
        task.rejected_at = now
        task.rejection_reason = answer.reason
        summary, event = f"{task.agency.code} rejected step {task.step_id}: {answer.reason}", TaskRejected(
            str(task.id), answer.reason
        )
    task.updated_at = now
    audit.record(session, at=now, kind=f"task.{task.status.value}", actor=principal.label,
                 incident_id=task.incident_id, summary=summary, data={"task_id": str(task.id)})
    if event is not None and task.run_id is not None:  # a dispatch order belongs to no run
        apply_event(session=session, clock=clock, run_id=task.run_id, event=event, actor=principal.label)
    return task
