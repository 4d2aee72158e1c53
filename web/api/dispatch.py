"""Dispatch recommendations: a duty officer asks for one and accepts it, as it is or changed."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for
from pydantic import BaseModel, ConfigDict, Field

from coordination import Role
from coordination.dispatch_confirmations import accept_dispatch
from coordination.dispatch_service import (
    ChosenUnit,
    recommend_dispatch,
    recommendation_json,
)
from coordination.planner.orders import RecommendationStatus
from coordination.queries.dispatch import existing_recommendation, recommendations_query
from web.api.listing import page_of
from web.api.query import arg, choice, page, takes_query
from web.app.context import (
    api,
    json_body,
    optional_json_body,
    principal,
    services,
    session,
)

blueprint = Blueprint("dispatch", __name__)

OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


class RecommendationRequest(BaseModel):
    """What an incident needs: unit types or capabilities and how many of each."""

    model_config = ConfigDict(extra="forbid")

    incident_id: uuid.UUID
    needs: dict[str, int] = Field(min_length=1, max_length=30)
    max_travel_s: int | None = Field(default=None, ge=60, le=4 * 3600)
    """Never recommend a unit further away than this."""
    coverage: dict[str, int] = Field(default_factory=dict, max_length=20)
    """Unit type -> seconds: keep one free within that time of every station of its kind (move-ups allowed)."""


class AcceptanceBody(BaseModel):
    """Accept as recommended (no `assignments`), or send these units instead."""

    model_config = ConfigDict(extra="forbid")

    assignments: list[ChosenUnit] | None = Field(default=None, max_length=500)
    note: str = Field(default="", max_length=2000)


@blueprint.post("/dispatch/recommendations")
@api(*OPERATORS)
def recommend():
    """Record what an incident needs and recommend units for every open incident at once."""
    body = json_body(RecommendationRequest)
    recommendation = recommend_dispatch(session=session(), clock=services().clock, incident_id=body.incident_id,
                                        needs=body.needs, requested_by=principal().label,
                                        travel=services().travel, coverage=body.coverage,
                                        max_travel_s=body.max_travel_s)
    return (recommendation_json(recommendation), 201,
            {"Location": url_for("dispatch.read_recommendation", recommendation_id=recommendation.id)})


@blueprint.get("/dispatch/recommendations")
@api(*WATCHERS)
@takes_query(choice("status", RecommendationStatus, "Only recommendations in this status"), *page())
def list_recommendations():
    """Recommendations, newest first; `status` filters (proposed, accepted, superseded)."""
    return page_of(recommendations_query(status=arg("status")), recommendation_json)


@blueprint.get("/dispatch/recommendations/<uuid:recommendation_id>")
@api(*WATCHERS)
def read_recommendation(recommendation_id: uuid.UUID):
    """A recommendation: its plan, why each unit, the closest-unit baseline, and the decision."""
    return recommendation_json(existing_recommendation(session(), recommendation_id))


@blueprint.post("/dispatch/recommendations/<uuid:recommendation_id>/accept")
@api(*OPERATORS)
def accept(recommendation_id: uuid.UUID):
    """Accept the recommendation, or send the listed units instead; the units are dispatched at once."""
    body = optional_json_body(AcceptanceBody)
    recommendation = accept_dispatch(session=session(), clock=services().clock,
                                     recommendation_id=recommendation_id, decided_by=principal().label,
                                     assignments=body.assignments, note=body.note, travel=services().travel)
    return recommendation_json(recommendation)
