"""An incident's SOPs started by hand: which active SOPs fit its type, and starting one."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for
from pydantic import BaseModel, ConfigDict, Field

from coordination import Role
from coordination.representations import run_json
from coordination.queries.incidents import existing_incident
from coordination.sop_starts import start_sop_by_hand, startable_sops
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("incident_runs", __name__)

OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


class SopStart(BaseModel):
    """Which SOP to start: its id; the active version starts and the run pins it."""

    model_config = ConfigDict(extra="forbid")

    sop_id: str = Field(min_length=1, max_length=64)


@blueprint.get("/incidents/<uuid:incident_id>/startable-sops")
@api(*WATCHERS)
def list_startable(incident_id: uuid.UUID):
    """The active SOPs whose trigger names this incident's type (any severity)."""
    incident = existing_incident(session(), incident_id)
    return {"items": [{"id": sop.ref.sop_id, "version": sop.ref.version, "title": sop.title,
                       "min_severity": sop.trigger.min_severity.value}
                      for sop in startable_sops(session(), incident_type=incident.incident_type)]}


@blueprint.post("/incidents/<uuid:incident_id>/runs")
@api(*OPERATORS)
def start(incident_id: uuid.UUID):
    """Start an active SOP for this incident's type by hand; its first tasks go out at once."""
    body = json_body(SopStart)
    run = start_sop_by_hand(session=session(), clock=services().clock, incident_id=incident_id,
                            sop_id=body.sop_id, actor=principal())
    return run_json(run), 201, {"Location": url_for("incidents.read", incident_id=incident_id)}
