"""Releasing an incident's units when it is stood down or closed: they go back into service.

The SOP engine cancels its own tasks when a run is stood down; dispatch orders belong to no run,
so the service that closes the incident calls `release_incident_units` in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.planner import UNIT_MOVES, UnitStatus
from coordination.planner.orders import DEMAND_MOVES, AssignmentStatus, DemandStatus
from coordination.dispatch_service.fleet import end_assignment
from coordination.lifecycles import require_move
from coordination.store.tables import DispatchAssignment, DispatchDemand, ResponseUnit, Task
from coordination.webhooks.outbox import enqueue, task_payload

RELEASED_STATUS = {
    UnitStatus.DISPATCHED: UnitStatus.AVAILABLE,
    UnitStatus.EN_ROUTE: UnitStatus.AVAILABLE,
    UnitStatus.ON_SCENE: UnitStatus.RETURNING,
}
"""Where a released unit goes: not yet there, free at once; at the scene, on its way home."""


def release_incident_units(*, session: Session, clock: Clock, incident_id: uuid.UUID, actor: str,
                           reason: str) -> list[str]:
    """Stand down every unit still assigned to the incident and cancel its open requests for units.

    Each unit's agency gets a `task.cancelled` webhook for the unit's dispatch order; the
    timeline records the release. Returns the call signs released (empty if none were out).
    """
    now = clock.now()
    released = []
    assignments = session.scalars(
        select(DispatchAssignment).where(DispatchAssignment.incident_id == incident_id,
                                         DispatchAssignment.status == AssignmentStatus.ACTIVE)
        .order_by(DispatchAssignment.dispatched_at, DispatchAssignment.id)
    ).unique().all()
    for assignment in assignments:
        unit: ResponseUnit = assignment.unit
        task = session.get(Task, assignment.task_id) if assignment.task_id else None
        was_open = task is not None and task.status.is_open
        end_assignment(session=session, assignment=assignment, now=now,
                       to=AssignmentStatus.DONE if unit.status is UnitStatus.ON_SCENE else AssignmentStatus.STOOD_DOWN)
        if task is not None and was_open:
            enqueue(session, agency=unit.agency, event_type="task.cancelled", at=now, task=task,
                    data={**task_payload(task), "reason": f"incident stood down: {reason}"})
        target = RELEASED_STATUS.get(unit.status)
        if target is not None:
            require_move(f"unit {unit.code}", unit.status, target, UNIT_MOVES)
            unit.status = target
            unit.committed_priority = 0
            unit.updated_at = now
        released.append(unit.code)
    for demand in session.scalars(select(DispatchDemand).where(DispatchDemand.incident_id == incident_id)):
        if demand.status is not DemandStatus.CANCELLED:
            require_move(f"demand {demand.id}", demand.status, DemandStatus.CANCELLED, DEMAND_MOVES)
            demand.status = DemandStatus.CANCELLED
            demand.closed_at = demand.closed_at or now
    if released:
        audit.record(session, at=now, kind="dispatch.released", actor=actor, incident_id=incident_id,
                     summary=f"units released ({reason}): {', '.join(released)}", data={"units": released})
    return released
