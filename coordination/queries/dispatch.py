"""Reading dispatch recommendations, the units sent to an incident, and the free units."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.planner import ASSIGNABLE_STATUSES
from coordination.planner.orders import RecommendationStatus
from coordination.store.tables import DispatchAssignment, DispatchRecommendation, ResponseUnit


def recommendations_query(*, status: RecommendationStatus | None = None) -> Select:
    """Recommendations, newest first; `status` keeps those in it."""
    query = select(DispatchRecommendation).order_by(DispatchRecommendation.requested_at.desc(),
                                                    DispatchRecommendation.id)
    if status is not None:
        query = query.where(DispatchRecommendation.status == status)
    return query


def existing_recommendation(session: Session, recommendation_id: uuid.UUID) -> DispatchRecommendation:
    """The recommendation, or NotFound."""
    recommendation = session.get(DispatchRecommendation, recommendation_id)
    if recommendation is None:
        raise NotFound(f"recommendation {recommendation_id} does not exist")
    return recommendation


def proposed_recommendations(session: Session) -> Sequence[DispatchRecommendation]:
    """Recommendations still waiting for the duty officer, newest first."""
    return session.scalars(select(DispatchRecommendation).where(
        DispatchRecommendation.status == RecommendationStatus.PROPOSED)
        .order_by(DispatchRecommendation.requested_at.desc())).all()


def units_sent_to(session: Session, incident_id: uuid.UUID) -> Sequence[tuple[DispatchAssignment, ResponseUnit]]:
    """(assignment, unit) of every unit sent to the incident, by the unit's call sign."""
    return session.execute(select(DispatchAssignment, ResponseUnit).join(
        ResponseUnit, ResponseUnit.id == DispatchAssignment.unit_id).where(
        DispatchAssignment.incident_id == incident_id).order_by(ResponseUnit.code)).unique().all()


def assignable_units(session: Session) -> Sequence[ResponseUnit]:
    """Units free to be sent, by call sign."""
    return session.scalars(select(ResponseUnit).where(
        ResponseUnit.status.in_(ASSIGNABLE_STATUSES)).order_by(ResponseUnit.code)).unique().all()
