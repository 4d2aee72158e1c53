"""Incidents: declare, list, read, revise, and read the timeline."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for
from sqlalchemy import select

from coordination import (
    IncidentReport,
    IncidentRevision,
    IncidentStatus,
    NotFound,
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
from coordination.store.tables import (
    DuplicateReport,
    DutyRequest,
    Escalation,
    Incident,
    PublicNotice,
    TimelineEntry,
)
from web.api.listing import enum_arg, page_of
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("incidents", __name__)

OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


def incident_detail(incident: Incident, *, include_reporter: bool) -> dict:
    db = session()
    escalations = db.scalars(
        select(Escalation).where(Escalation.incident_id == incident.id).order_by(Escalation.raised_at)
    ).all()
    requests = db.scalars(
        select(DutyRequest).where(DutyRequest.incident_id == incident.id).order_by(DutyRequest.created_at)
    ).all()
    notices = db.scalars(
        select(PublicNotice).where(PublicNotice.incident_id == incident.id).order_by(PublicNotice.published_at)
    ).all()
    linked = db.scalars(
        select(Incident).where(Incident.parent_incident_id == incident.id).order_by(Incident.declared_at)
    ).all()
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
        "duplicate_reports": [duplicate_json(duplicate, include_reporter=include_reporter) for duplicate in db.scalars(
            select(DuplicateReport).where(DuplicateReport.incident_id == incident.id)
            .order_by(DuplicateReport.reported_at, DuplicateReport.id))],
    }


def duplicate_json(duplicate: DuplicateReport, *, include_reporter: bool) -> dict:
    body = {"id": str(duplicate.id), "severity": duplicate.severity.value, "distance_m": duplicate.distance_m,
            "location": {"type": "Point", "coordinates": [duplicate.longitude, duplicate.latitude]},
            "place_name": duplicate.place_name, "description": duplicate.description, "reported_by": duplicate.reported_by,
            "reported_at": duplicate.reported_at.isoformat()}
    if include_reporter:
        body["reporter"] = {"name": duplicate.reporter_name, "phone": duplicate.reporter_phone}
    return body


def _incident(incident_id: uuid.UUID) -> Incident:
    incident = session().get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return incident


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
def list_incidents():
    """List incidents, newest first; `status` filters (open, resolved, closed)."""
    query = select(Incident).order_by(Incident.declared_at.desc(), Incident.id)
    status = enum_arg("status", IncidentStatus)
    if status is not None:
        query = query.where(Incident.status == status)
    include_reporter = principal().role is not Role.VIEWER
    return page_of(query, lambda incident: incident_json(incident, include_reporter=include_reporter))


@blueprint.get("/incidents/<uuid:incident_id>")
@api(*WATCHERS)
def read(incident_id: uuid.UUID):
    """An incident with its SOP runs, tasks and escalations."""
    return incident_detail(_incident(incident_id), include_reporter=principal().role is not Role.VIEWER)


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
def timeline(incident_id: uuid.UUID):
    """The incident's timeline entries, oldest first."""
    _incident(incident_id)
    query = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id).order_by(TimelineEntry.seq)
    return page_of(query, timeline_json, default_limit=500)
