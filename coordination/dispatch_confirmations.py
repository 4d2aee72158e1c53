"""Accepting a dispatch recommendation, and telling each SOP run whose dispatch step it
satisfies (`DispatchConfirmed`), in one transaction.

This sits above both the dispatch service and the SOP runs: the service knows which steps an
acceptance met (`plan["sop_confirmations"]`), the runs take the events, and neither imports the
other (runs -> run commands -> dispatch service already points the other way).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.dispatch_service import accept_recommendation
from coordination.runs import apply_event
from coordination.planner.orders import AssignmentStatus
from coordination.store.tables import DispatchAssignment, DispatchRecommendation
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


def assignments_made(*, session: Session, recommendation_id: uuid.UUID) -> list[DispatchAssignment]:
    """The units an accepted recommendation sent, by call sign (what the console says it did)."""
    return sorted(session.scalars(select(DispatchAssignment).where(
        DispatchAssignment.recommendation_id == recommendation_id)).unique().all(), key=lambda a: a.unit.code)


def active_assignments(*, session: Session, incident_id: uuid.UUID) -> list[DispatchAssignment]:
    """The units still out for an incident (a stand-down releases them)."""
    return list(session.scalars(select(DispatchAssignment).where(
        DispatchAssignment.incident_id == incident_id,
        DispatchAssignment.status == AssignmentStatus.ACTIVE)).unique().all())
