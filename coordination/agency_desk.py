"""What an agency's desk shows: its open tasks apart from its finished ones, each with its step
in words and, for a dispatch order, the unit it sends and the status reports that unit may make
next (the same moves the API accepts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.lifecycles import OPEN_TASK_STATUSES
from coordination.planner.orders import AssignmentStatus
from coordination.planner.units import UNIT_MOVES, UnitStatus
from coordination.sop_catalogue import definition_for
from coordination.store.tables import DispatchAssignment, ResponseUnit, SopRunRecord, Task
from sop_engine import SopRef

FINISHED_SHOWN = 50
"""Finished tasks kept on the desk, newest first: the record is in the API and the timeline."""

REPORTABLE = (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.RETURNING, UnitStatus.AVAILABLE,
              UnitStatus.OUT_OF_SERVICE)
"""What an agency reports about its own unit; `dispatched` is the centre's to set."""


@dataclass(frozen=True)
class DeskTask:
    task: Task
    step: str
    unit: ResponseUnit | None
    unit_moves: tuple[UnitStatus, ...]


@dataclass(frozen=True)
class AgencyDesk:
    open: list[DeskTask]
    finished: list[DeskTask]


def agency_desk(*, session: Session, agency_id: uuid.UUID) -> AgencyDesk:
    """The agency's open tasks (soonest acknowledgement due first) and its latest finished ones."""
    open_tasks = session.scalars(select(Task).where(Task.agency_id == agency_id,
                                                    Task.status.in_(OPEN_TASK_STATUSES))
                                 .order_by(Task.ack_due_at, Task.created_at)).unique().all()
    finished = session.scalars(select(Task).where(Task.agency_id == agency_id,
                                                  Task.status.not_in(OPEN_TASK_STATUSES))
                               .order_by(Task.updated_at.desc()).limit(FINISHED_SHOWN)).unique().all()
    units = _units_sent_by(session, [task.id for task in open_tasks])
    return AgencyDesk(open=[_desk_task(session, task, units.get(task.id)) for task in open_tasks],
                      finished=[_desk_task(session, task, None) for task in finished])


def _units_sent_by(session: Session, task_ids: list[uuid.UUID]) -> dict[uuid.UUID, ResponseUnit]:
    if not task_ids:
        return {}
    rows = session.scalars(select(DispatchAssignment).where(DispatchAssignment.task_id.in_(task_ids),
                                                            DispatchAssignment.status == AssignmentStatus.ACTIVE)).unique()
    return {assignment.task_id: assignment.unit for assignment in rows}


def _desk_task(session: Session, task: Task, unit: ResponseUnit | None) -> DeskTask:
    moves = tuple(status for status in REPORTABLE if unit is not None and status in UNIT_MOVES[unit.status])
    return DeskTask(task=task, step=step_words(session, run_id=task.run_id, step_id=task.step_id), unit=unit,
                    unit_moves=moves)


def step_words(session: Session, *, run_id: uuid.UUID | None, step_id: str) -> str:
    """A step of a run in words: its title in the pinned SOP, or its id in words."""
    run = session.get(SopRunRecord, run_id) if run_id is not None else None
    if run is not None:
        try:
            definition = definition_for(session, SopRef(run.sop_id, run.sop_version))
        except NotFound:
            definition = None
        step = next((s for s in definition.steps if s.step_id == step_id), None) if definition else None
        if step is not None:
            return step.label
    return step_id.replace("_", " ")
