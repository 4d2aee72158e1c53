"""Starting an SOP by hand from the incident page."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, request, url_for

from coordination import Conflict, InvalidInput, Role
from coordination.sop_starts import start_sop_by_hand
from web.app.context import services
from web.app.problems import status_for
from web.console.access import console_caller, require_csrf
from web.console.incident import incident_page

blueprint = Blueprint("incident_records_console", __name__)

ACTING_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}


@blueprint.post("/console/incidents/<uuid:incident_id>/sops")
def start_sop(incident_id: uuid.UUID):
    """Start the chosen active SOP on the incident, as the API's `POST /incidents/{id}/runs` does."""
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    try:
        with context.store.transaction() as db:
            start_sop_by_hand(session=db, clock=context.clock, incident_id=incident_id,
                              sop_id=request.form.get("sop_id", ""), actor=caller)
    except (InvalidInput, Conflict) as problem:
        return incident_page(incident_id, error=str(problem), error_for="start-sop",
                             status=status_for(problem))
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id))
