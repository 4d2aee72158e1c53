"""The SOP engine's dispatch step, seen from the dispatch service.

A run's `RequestDispatch` is answered in one of two ways: if the fleet has units of every type
the step asks for, the service records the request and proposes a recommendation (the run waits
for `DispatchConfirmed`, which acceptance reports in `plan["sop_confirmations"]`); otherwise the
caller falls back to a task for each owning agency. This module decides which, so the run's
command executor needs only to call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.dispatch_service.recommendations import recommend_dispatch
from coordination.store.tables import DispatchRecommendation, ResponseUnit

SOP_REQUESTER = "engine"


def recommend_for_sop_step(
    *,
    session: Session,
    clock: Clock,
    incident_id: uuid.UUID,
    run_id: uuid.UUID,
    step_id: str,
    units: Sequence[tuple[str, int]],
) -> DispatchRecommendation | None:
    """Propose units for an SOP dispatch step, or return None when the fleet cannot answer it.

    Args:
        units: the step's (unit type, count) pairs, as in `RequestDispatch.units`.

    Returns:
        The proposed recommendation (linked to the run and step), or None if some asked-for
        type has no registered unit at all: then the step's request goes to the owning agencies
        as tasks, as before units were registered.
    """
    wanted = {unit_type: count for unit_type, count in units if count > 0}
    if not wanted:
        return None
    known = dict(session.execute(
        select(ResponseUnit.unit_type, func.count()).where(ResponseUnit.unit_type.in_(list(wanted)))
        .group_by(ResponseUnit.unit_type)
    ).all())
    if any(known.get(unit_type, 0) == 0 for unit_type in wanted):
        return None
    return recommend_dispatch(session=session, clock=clock, incident_id=incident_id, needs=wanted,
                              requested_by=SOP_REQUESTER, sop_run_id=run_id, sop_step_id=step_id)
