"""Accepting a dispatch recommendation, and telling each SOP run whose dispatch step it
satisfies (`DispatchConfirmed`), in one transaction.

This sits above both the dispatch service and the SOP runs: the service knows which steps an
acceptance met (`plan["sop_confirmations"]`), the runs take the events, and neither imports the
other (runs -> run commands -> dispatch service already points the other way).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.dispatch_service import accept_recommendation
from coordination.runs import apply_event
from coordination.store.tables import DispatchRecommendation
from sop_engine import DispatchConfirmed


def accept_dispatch(*, session: Session, clock: Clock, recommendation_id: uuid.UUID, decided_by: str,
                    assignments=None, note: str = "", travel=None) -> DispatchRecommendation:
    """Accept (or change) a recommendation: units are dispatched, their agencies tasked, and
    every SOP dispatch step it now satisfies moves on.

    Raises: what `accept_recommendation` raises (NotFound, Conflict for a stale proposal,
        InvalidInput for a unit that cannot go).
    """
    recommendation = accept_recommendation(session=session, clock=clock, recommendation_id=recommendation_id,
                                           decided_by=decided_by, assignments=assignments, note=note, travel=travel)
    for confirmation in (recommendation.plan or {}).get("sop_confirmations", []):
        apply_event(session=session, clock=clock, run_id=uuid.UUID(confirmation["sop_run_id"]),
                    event=DispatchConfirmed(confirmation["sop_step_id"], tuple(confirmation["unit_ids"])),
                    actor=decided_by)
    return recommendation
