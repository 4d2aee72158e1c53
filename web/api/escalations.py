"""Escalations: what missed a deadline, and to whom it was raised."""

from __future__ import annotations

from flask import Blueprint

from coordination import Role
from coordination.representations import escalation_json
from coordination.queries.duty import escalations_query
from web.api.listing import page_of
from web.api.query import page, takes_query
from web.app.context import api

blueprint = Blueprint("escalations", __name__)


@blueprint.get("/escalations")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(*page())
def list_escalations():
    """Escalations, newest first."""
    return page_of(escalations_query(), escalation_json)
