"""The incident page's dispatch panel: ask for units, read the recommendation (each unit's ETA
and why it was chosen), accept it in one click or swap units before accepting.

A recommendation plans every open incident at once, so accepting it sends the units it plans
for other incidents too; the panel says so. Changing it sends the officer's complete list (the
other incidents' units as recommended), exactly what `POST .../accept {assignments}` takes.
Both go through the same use cases as the API.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, request, url_for
from pydantic import ValidationError

from coordination import Conflict, InvalidInput, Role
from coordination.dispatch_confirmations import accept_dispatch, assignments_made
from coordination.dispatch_service import ChosenUnit, recommend_dispatch
from coordination.queries.incidents import find_incident
from sop_engine import UNIT_TYPES
from web.app.context import services
from web.app.problems import status_for
from web.console import action_messages as messages
from web.console.access import console_caller, require_csrf
from web.console.action_messages import say
from web.console.dispatch_panel import minutes
from web.console.incident import incident_page

blueprint = Blueprint("dispatch_console", __name__)

ACTING_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}
MAX_UNITS_ASKED = 20


@blueprint.app_template_filter("eta")
def eta_filter(seconds: int | float) -> str:
    return minutes(seconds)


@blueprint.post("/console/incidents/<uuid:incident_id>/dispatch")
def ask(incident_id: uuid.UUID):
    """Ask for units: one unit type and a count, from the panel's form."""
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    unit_type = request.form.get("unit_type", "")
    count = request.form.get("count", "")
    if unit_type not in UNIT_TYPES:
        return incident_page(incident_id, error="choose a unit type", error_for="dispatch-unit_type", status=422)
    if not count.isdigit() or not 1 <= int(count) <= MAX_UNITS_ASKED:
        return incident_page(incident_id, error=f"a whole number from 1 to {MAX_UNITS_ASKED}",
                             error_for="dispatch-count", status=422)
    context = services()
    try:
        with context.store.transaction() as db:
            recommend_dispatch(session=db, clock=context.clock, incident_id=incident_id,
                               needs={unit_type: int(count)}, requested_by=caller.label, travel=context.travel)
    except (InvalidInput, Conflict) as problem:
        return incident_page(incident_id, error=str(problem), error_for="dispatch-count",
                             status=status_for(problem))
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id) + "#dispatch-heading")


@blueprint.post("/console/recommendations/<uuid:recommendation_id>/accept")
def accept(recommendation_id: uuid.UUID):
    """Accept as recommended (`action=accept`) or with the units chosen in the form (`action=change`)."""
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    incident_id = _incident_of_form()
    assignments = None
    if request.form.get("action") == "change":
        try:
            assignments = _chosen_units()
        except (InvalidInput, ValidationError) as invalid:
            return incident_page(incident_id, error="the changed plan is not valid: reload the page and try again",
                                 error_for="dispatch-accept", status=status_for(invalid))
    try:
        with context.store.transaction() as db:
            accept_dispatch(session=db, clock=context.clock, recommendation_id=recommendation_id,
                            decided_by=caller.label, assignments=assignments,
                            note=request.form.get("note", "").strip()[:2000], travel=context.travel)
            say(messages.dispatched(assignments_made(session=db, recommendation_id=recommendation_id),
                                    find_incident(db, incident_id)))
    except (InvalidInput, Conflict) as problem:
        return incident_page(incident_id, error=str(problem), error_for="dispatch-accept",
                             status=status_for(problem))
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id) + "#dispatch-heading")


def _incident_of_form() -> uuid.UUID:
    try:
        return uuid.UUID(request.form.get("incident_id", ""))
    except ValueError:
        abort(400)


MAX_PLAN_SLOTS = 1000
"""More rows than any recommendation has: a form claiming more was not written by the page."""


def _chosen_units() -> list[ChosenUnit]:
    """The plan as the form now holds it; a slot set to "none" sends nobody."""
    chosen = []
    try:
        slots = int(request.form.get("slots", "0"))
        if not 0 <= slots <= MAX_PLAN_SLOTS:
            raise ValueError(slots)
        for n in range(slots):
            unit_id = request.form.get(f"unit-{n}", "none")
            if unit_id == "none":
                continue
            chosen.append(ChosenUnit(unit_id=uuid.UUID(unit_id), incident_id=uuid.UUID(request.form[f"incident-{n}"]),
                                     need=request.form[f"need-{n}"]))
    except ValueError as error:  # a count or an id the page never writes
        raise InvalidInput("the changed plan is not valid", field="slots") from error
    return chosen
