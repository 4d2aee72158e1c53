"""Incidents: declare, list, read, revise, and read the timeline."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for

from coordination import (
    IncidentReport,
    IncidentRevision,
    IncidentStatus,
    Role,
    revise_incident,
)
from coordination.duplicates import report_incident
from coordination.representations import (
    duty_request_json,
    escalation_json,
    incident_json,
    public_notice_json,
    run_json,
    task_json,
    timeline_json,
)
from coordination.queries.incidents import (
    decisions_of,
    duplicate_reports_of,
    escalations_of,
    existing_incident,
    incidents_query,
    linked_incidents_of,
    public_notices_of,
    timeline_query,
)
from web.api.listing import page_of
from web.api.query import arg, choice, page, takes_query
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("incidents", __name__)

OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


def incident_detail(incident, *, include_reporter: bool) -> dict:
    db = session()
    escalations = escalations_of(db, incident.id)
    requests = decisions_of(db, incident.id)
    notices = public_notices_of(db, incident.id)
    linked = linked_incidents_of(db, incident.id)
    return {
        **incident_json(incident, include_reporter=include_reporter),
        "runs": [run_json(run) for run in incident.runs],
        "tasks": [task_json(task) for task in incident.tasks],
        "escalations": [escalation_json(escalation) for escalation in escalations],
        "decisions": [duty_request_json(request) for request in requests],
        "public_notices": [public_notice_json(notice) for notice in notices],
        "linked_incidents": [
            {"id": str(child.id), "type": child.incident_type, "severity": child.severity.value,
             "status": child.status.value, "spawned_by_step": child.spawned_by_step}
            for child in linked
        ],
        "duplicate_reports": [duplicate_json(duplicate, include_reporter=include_reporter)
                              for duplicate in duplicate_reports_of(db, incident.id)],
    }


def duplicate_json(duplicate, *, include_reporter: bool) -> dict:
    body = {"id": str(duplicate.id), "severity": duplicate.severity.value, "distance_m": duplicate.distance_m,
            "location": {"type": "Point", "coordinates": [duplicate.longitude, duplicate.latitude]},
            "place_name": duplicate.place_name, "description": duplicate.description, "reported_by": duplicate.reported_by,
            "reported_at": duplicate.reported_at.isoformat()}
    if include_reporter:
        body["reporter"] = {"name": duplicate.reporter_name, "phone": duplicate.reporter_phone}
    return body


@blueprint.post("/incidents")
@api(*OPERATORS)
def declare():
    """Declare an incident; the SOP its type and severity trigger starts at once.

    A report of the same type close in place and time to an open incident is linked to that
    incident as a duplicate report instead (200, with `duplicate_of`).
    """
    report = json_body(IncidentReport)
    context = services()
    outcome = report_incident(session=session(), clock=context.clock, report=report, actor=principal(),
                              policy=context.settings.duplicates)
    body = incident_detail(outcome.incident, include_reporter=True)
    location = {"Location": url_for("incidents.read", incident_id=outcome.incident.id)}
    if outcome.duplicate is not None:
        return {**body, "duplicate_of": str(outcome.incident.id),
                "duplicate_report_id": str(outcome.duplicate.id)}, 200, location
    return body, 201, location


@blueprint.get("/incidents")
@api(*WATCHERS)
@takes_query(choice("status", IncidentStatus, "Only incidents in this status"), *page())
def list_incidents():
    """List incidents, newest first; `status` filters (open, resolved, closed)."""
    query = incidents_query(status=arg("status"))
    include_reporter = principal().role is not Role.VIEWER
    return page_of(query, lambda incident: incident_json(incident, include_reporter=include_reporter))


@blueprint.get("/incidents/<uuid:incident_id>")
@api(*WATCHERS)
def read(incident_id: uuid.UUID):
    """An incident with its SOP runs, tasks and escalations."""
    incident = existing_incident(session(), incident_id)
    return incident_detail(incident, include_reporter=principal().role is not Role.VIEWER)


@blueprint.patch("/incidents/<uuid:incident_id>")
@api(*OPERATORS)
def revise(incident_id: uuid.UUID):
    """Revise an open incident's severity, place_name, location or description (fields left out stay).

    The timeline records each change; the SOP's later steps read the revised facts; each agency
    with an open task gets an `incident.updated` webhook. Tasks keep their agencies. 409 if the
    incident is resolved or closed.
    """
    revision = json_body(IncidentRevision)
    outcome = revise_incident(session=session(), clock=services().clock, incident_id=incident_id, revision=revision,
                              actor=principal())
    return incident_detail(outcome.incident, include_reporter=True)


@blueprint.get("/incidents/<uuid:incident_id>/timeline")
@api(*WATCHERS)
@takes_query(*page(default_limit=500))
def timeline(incident_id: uuid.UUID):
    """The incident's timeline entries, oldest first."""
    existing_incident(session(), incident_id)
    return page_of(timeline_query(incident_id), timeline_json)
