"""The duty officer's desk: decisions and public notices awaiting an answer, and stand-downs."""

from __future__ import annotations

import uuid

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from coordination import Role, answer_request, stand_down
from coordination.lifecycles import DutyRequestKind, DutyRequestStatus
from coordination.representations import duty_request_json, incident_json
from coordination.queries.duty import decisions_query, existing_decision
from web.api.listing import page_of
from web.api.query import arg, choice, identifier, page, takes_query
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("decisions", __name__)

OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


class DecisionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: str = Field(min_length=1, max_length=64, description="An option, or `approve` / `withhold` for a notice")
    note: str = Field(default="", max_length=2000)


class StandDownRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


@blueprint.get("/decisions")
@api(*WATCHERS)
@takes_query(choice("status", DutyRequestStatus, "Only requests in this status"),
             choice("kind", DutyRequestKind, "Only decisions or only public notices"),
             identifier("incident_id", "Only requests of this incident"), *page())
def list_decisions():
    """Decisions and public notices for the duty officer, oldest due first; `status` (open,
    answered, cancelled), `kind` (decision, public_notice) and `incident_id` filter."""
    return page_of(decisions_query(status=arg("status"), kind=arg("kind"), incident_id=arg("incident_id")),
                   duty_request_json)


@blueprint.get("/decisions/<uuid:request_id>")
@api(*WATCHERS)
def read_decision(request_id: uuid.UUID):
    """One decision or public notice."""
    return duty_request_json(existing_decision(session(), request_id))


@blueprint.post("/decisions/<uuid:request_id>/answer")
@api(*OPERATORS)
def answer(request_id: uuid.UUID):
    """Choose an option (or `approve` / `withhold` a public notice); the SOP follows at once.
    The same answer again changes nothing; a different one is a conflict."""
    body = json_body(DecisionAnswer)
    answered = answer_request(session=session(), clock=services().clock, principal=principal(),
                              request_id=request_id, choice=body.choice, note=body.note)
    return duty_request_json(answered)


@blueprint.post("/incidents/<uuid:incident_id>/stand-down")
@api(*OPERATORS)
def stand_down_incident(incident_id: uuid.UUID):
    """Stand the incident's SOP down: open tasks are cancelled (each agency gets a webhook) and
    the incident is closed."""
    body = json_body(StandDownRequest)
    incident = stand_down(session=session(), clock=services().clock, principal=principal(),
                          incident_id=incident_id, reason=body.reason)
    return incident_json(incident, include_reporter=True)
