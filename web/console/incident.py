"""The console's incident page: the SOP as a graph with each step's state, deadlines and
escalations, the decisions waiting for the duty officer (one click per option), the agencies'
tasks, the timeline, and the forms to revise the incident and to stand it down. Forms post back
with a CSRF token; every action is the same use case the API calls, recorded as the signed-in
officer."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from pydantic import ValidationError

from coordination import (
    Conflict,
    Forbidden,
    IncidentRevision,
    InvalidInput,
    NotFound,
    Role,
    answer_request,
    revise_incident,
    stand_down,
)
from coordination.dispatch_confirmations import active_assignments
from coordination.integrity import integrity_report
from coordination.lifecycles import DutyRequestStatus, IncidentStatus
from coordination.runs import load_run
from coordination.queries.duty import find_decision
from coordination.queries.incidents import (
    decisions_of,
    escalations_of,
    find_incident,
    latest_timeline_entries,
    linked_incidents_of,
    public_notices_of,
)
from sop_engine import Severity
from sop_engine.diagrams import step_summary, to_svg
from web.app.context import services
from web.app.problems import status_for
from web.console import action_messages as messages
from web.console.access import BOARD_ROLES, console_caller, csrf_token, require_csrf
from web.console.action_messages import say
from web.console.dispatch_panel import dispatch_context
from web.console.forms import (
    LOCATION_FIELDS,
    FieldErrors,
    field_errors,
    form_text,
    point_from_form,
)
from web.console.device_panel import device_commands_context
from web.console.records_panel import records_context

blueprint = Blueprint("incident_console", __name__)

ACTING_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}

STEP_KIND_WORDS = {"task": "task for an agency", "decision": "decision", "notify": "notice",
                   "dispatch": "units to send", "command": "devices commanded",
                   "wait": "wait", "spawn": "opens an incident", "end": "ends the SOP"}
"""What each kind of step is, in words (the SOP format's keys are terse)."""

DEADLINE_WORDS = {"ack": "acknowledgement", "complete": "completion", "ladder": "next escalation",
                  "step": "step", "step-ladder": "next escalation", "wait": "wait ends"}
"""Run timers by the kind in their key, in words."""

SEVERITIES = [(severity.value, severity.value) for severity in Severity]


@blueprint.get("/console/incidents/<uuid:incident_id>")
def incident_page(incident_id: uuid.UUID, *, error: str | None = None, error_for: str | None = None,
                  revise_errors: FieldErrors | None = None, status: int = 200):
    caller = console_caller(BOARD_ROLES)
    context = services()
    with context.store.transaction() as db:
        incident = find_incident(db, incident_id)
        if incident is None:
            abort(404)
        runs = []
        step_labels: dict[str, str] = {}
        for record in incident.runs:
            run = load_run(db, record)
            states = {name: state.status.value for name, state in run.steps.items()}
            deadlines: dict[str, list[tuple[str, object]]] = {}
            task_steps = {task_id: task.step_id for task_id, task in run.tasks.items()}
            for key, due in sorted(run.timers.items(), key=lambda item: item[1]):
                kind, _, name = key.partition(":")
                deadlines.setdefault(task_steps.get(name, name), []).append((DEADLINE_WORDS.get(kind, kind), due))
            runs.append({
                "record": record,
                "title": run.definition.title,
                "svg": Markup(to_svg(run.definition, states=states)),
                "steps": [
                    {"id": step.step_id, "label": step.label, "kind": STEP_KIND_WORDS.get(step.kind, step.kind),
                     "summary": step_summary(step), "status": states.get(step.step_id, "pending").replace("_", " "),
                     "state": states.get(step.step_id, "pending"),
                     "outcome": (run.step_state(step.step_id).outcome or "").replace("_", " "),
                     "deadlines": deadlines.get(step.step_id, [])}
                    for step in run.definition.steps
                ],
            })
            step_labels.update({step.step_id: step.label for step in run.definition.steps})
        page = render_template(
            "incident.html", caller=caller, csrf_token=csrf_token(), incident=incident, runs=runs,
            decisions=decisions_of(db, incident.id), escalations=escalations_of(db, incident.id),
            notices=public_notices_of(db, incident.id), linked=linked_incidents_of(db, incident.id),
            timeline=latest_timeline_entries(db, incident.id, limit=100),
            step_label=lambda step_id: step_labels.get(step_id, step_id.replace("_", " ")),
            can_act=caller.role in ACTING_ROLES, is_open=incident.status is IncidentStatus.OPEN,
            open_status=DutyRequestStatus.OPEN, error=error, error_for=error_for, severities=SEVERITIES,
            revise_errors=revise_errors or {}, form=request.form if revise_errors else {},
            **dispatch_context(db, incident), **records_context(db, incident),
            **device_commands_context(db, incident, device_kinds=context.settings.device_kinds),
        )
    return page, status


@blueprint.get("/console/integrity")
def integrity_page():
    caller = console_caller(BOARD_ROLES)
    context = services()
    now = context.clock.now()
    with context.store.transaction() as db:
        report = integrity_report(session=db, now=now)
        return render_template("integrity.html", caller=caller, csrf_token=csrf_token(), report=report, now=now)


@blueprint.post("/console/decisions/<uuid:request_id>")
def answer(request_id: uuid.UUID):
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    with context.store.transaction() as db:
        decision = find_decision(db, request_id)
        if decision is None:
            abort(404)
        incident_id = decision.incident_id
    try:
        with context.store.transaction() as db:
            answered = answer_request(session=db, clock=context.clock, principal=caller, request_id=request_id,
                                      choice=request.form.get("choice", ""), note=request.form.get("note", "").strip())
            incident = find_incident(db, incident_id)
            say(messages.answered(answered, incident, messages.step_words(db, incident, answered.run_id,
                                                                          answered.step_id)))
    except (InvalidInput, Conflict, Forbidden, NotFound) as problem:
        status = status_for(problem)
        return incident_page(incident_id, error=str(problem), error_for=str(request_id), status=status)
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id))


@blueprint.post("/console/incidents/<uuid:incident_id>/revise")
def revise(incident_id: uuid.UUID):
    """Revise the incident from the page's form, which is filled with its current values: only
    what the officer changed is recorded, and the agencies working it are told."""
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    try:
        revision = IncidentRevision.model_validate({
            "severity": form_text("severity"), "place_name": form_text("place_name"),
            "description": form_text("description"), "location": point_from_form()})
        with context.store.transaction() as db:
            revise_incident(session=db, clock=context.clock, incident_id=incident_id, revision=revision, actor=caller)
    except (ValidationError, Conflict) as problem:
        status = status_for(problem)
        return incident_page(incident_id, revise_errors=field_errors(problem, aliases=LOCATION_FIELDS), status=status)
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id))


@blueprint.post("/console/incidents/<uuid:incident_id>/stand-down")
def stand_down_incident(incident_id: uuid.UUID):
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    try:
        with context.store.transaction() as db:
            incident = find_incident(db, incident_id)
            open_tasks = sum(task.status.is_open for task in incident.tasks) if incident is not None else 0
            units = len(active_assignments(session=db, incident_id=incident_id))
            incident = stand_down(session=db, clock=context.clock, principal=caller, incident_id=incident_id,
                                  reason=request.form.get("reason", ""))
            say(messages.stood_down(incident, open_tasks, units))
    except (InvalidInput, Conflict) as problem:
        status = status_for(problem)
        return incident_page(incident_id, error=str(problem), error_for="stand-down", status=status)
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id))
