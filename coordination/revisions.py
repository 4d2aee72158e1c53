"""Revising an open incident: "the fire is bigger than reported", "it is on the next street".

One revision, in the caller's transaction: the incident's fields change, one timeline entry
records each field before and after, every running SOP run of the incident is told
(`IncidentRevised`, so steps it has not examined yet read the new facts), and every agency with
an open task on the incident gets an `incident.updated` webhook.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, NotFound
from coordination.geojson import GeoPoint
from coordination.incidents import Description, PlaceName
from coordination.lifecycles import OPEN_TASK_STATUSES, IncidentStatus
from coordination.principals import Principal
from coordination.representations import incident_json, point
from coordination.officer_alerts import raise_officer_alert
from coordination.routing import haversine_m
from coordination.runs import apply_event, incident_facts, start_run
from coordination.sop_catalogue import sop_for_incident
from coordination.store.tables import Agency, Incident, SopRunRecord, Task
from coordination.store.writer_lock import take_writer_lock
from coordination.webhooks.outbox import enqueue
from sop_engine import IncidentRevised, RunStatus, Severity

REVISABLE_FIELDS = ("severity", "place_name", "location", "description")


class IncidentRevision(BaseModel):
    """What a duty officer corrects about an open incident; a field left out stays as it is.

    Validated as `IncidentReport` validates the same fields. `place_name` sent empty or null
    clears the name; the other fields cannot be cleared, only changed.
    """

    model_config = ConfigDict(extra="forbid")

    severity: Severity | None = None
    place_name: PlaceName = None
    location: GeoPoint | None = None
    description: Description | None = None

    @field_validator("severity", "location", "description", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null: leave the field out to keep it as it is")
        return value

    @model_validator(mode="after")
    def _revises_something(self) -> "IncidentRevision":
        if not self.model_fields_set:
            raise ValueError(f"give at least one of {', '.join(REVISABLE_FIELDS)}")
        return self


@dataclass(frozen=True)
class RevisionOutcome:
    incident: Incident
    changes: dict[str, dict[str, Any]]
    """Each changed field's `before` and `after` (a moved location also its `distance_m`);
    empty when the revision said what the incident already said."""
    agencies_told: tuple[str, ...]
    """The codes of the agencies sent `incident.updated` (those with an open task)."""


def revise_incident(*, session: Session, clock: Clock, incident_id: uuid.UUID, revision: IncidentRevision,
                    actor: Principal) -> RevisionOutcome:
    """Change an open incident's severity, place, location or description, and tell whoever works it.

    A revision that changes nothing records nothing and sends nothing. Existing tasks keep
    their agencies: a moved incident is not routed again (the agencies working it are told
    where it now is, and the duty officer decides whether others should take over); only the
    tasks its SOP creates from now on are routed from the new location. A raised severity that
    triggers an SOP starts it on an incident that has had none, and otherwise tells the duty
    officer which SOP now matches.

    Raises:
        NotFound: no such incident.
        Conflict: the incident is resolved or closed.
    """
    take_writer_lock(session)  # before reading, so two revisions at once each see the other's result
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.status is not IncidentStatus.OPEN:
        raise Conflict(f"incident {incident_id} is {incident.status.value}: only an open incident can be revised")
    facts_before = incident_facts(incident)
    changes = _apply(incident, revision)
    if not changes:
        return RevisionOutcome(incident, {}, ())
    now = clock.now()
    told = _agencies_with_open_tasks(session, incident)
    audit.record(session, at=now, kind="incident.revised", actor=actor.label, incident_id=incident.id,
                 summary=f"revised: {describe_changes(changes)}",
                 data={"changes": changes, "agencies_told": [agency.code for agency, _tasks in told]})
    facts = incident_facts(incident)
    if facts != facts_before:
        running = session.scalars(select(SopRunRecord.id).where(
            SopRunRecord.incident_id == incident.id, SopRunRecord.status == RunStatus.RUNNING.value)
            .order_by(SopRunRecord.started_at, SopRunRecord.id)).all()
        for run_id in running:
            apply_event(session=session, clock=clock, run_id=run_id, event=IncidentRevised(facts), actor=actor.label)
    if "severity" in changes:
        _sop_the_new_severity_triggers(session=session, clock=clock, incident=incident, actor=actor)
    body = incident_json(incident, include_reporter=False)
    for agency, task_ids in told:
        enqueue(session, agency=agency, event_type="incident.updated", at=now,
                data={"incident": body, "changes": changes, "task_ids": task_ids})
    return RevisionOutcome(incident, changes, tuple(agency.code for agency, _tasks in told))


def _sop_the_new_severity_triggers(*, session: Session, clock: Clock, incident: Incident, actor: Principal) -> None:
    """A new severity may trigger an SOP the old one did not (a minor fire raised to severe).

    An incident that has never had an SOP gets the one that now matches, as if it had been
    declared at this severity. One that has had an SOP keeps it: starting a second procedure
    would give its agencies a second set of tasks for the same work, so the duty officer is told
    which SOP now matches and decides (starting it by hand is one click on the incident page).
    """
    definition = sop_for_incident(session, incident_type=incident.incident_type, severity=incident.severity)
    if definition is None:
        return
    had = set(session.scalars(select(SopRunRecord.sop_id).where(SopRunRecord.incident_id == incident.id)))
    if not had:
        start_run(session=session, clock=clock, incident=incident, definition=definition, actor=actor.label)
    elif definition.ref.sop_id not in had:
        raise_officer_alert(
            session, at=clock.now(), kind="sop.now_matches", incident_id=incident.id,
            summary=f"a {incident.severity.value} {incident.incident_type} now triggers SOP "
                    f"{definition.ref.sop_id} ({definition.title}), which has not run on this incident; "
                    "start it by hand if it is needed beside " + ", ".join(sorted(had)),
            data={"sop_id": definition.ref.sop_id, "version": definition.ref.version})


def _apply(incident: Incident, revision: IncidentRevision) -> dict[str, dict[str, Any]]:
    """Set the fields the revision gives that differ; return what changed, field by field."""
    given = revision.model_fields_set
    changes: dict[str, dict[str, Any]] = {}
    if "severity" in given and revision.severity is not None and revision.severity is not incident.severity:
        changes["severity"] = {"before": incident.severity.value, "after": revision.severity.value}
        incident.severity = revision.severity
    if "place_name" in given and revision.place_name != incident.place_name:
        changes["place_name"] = {"before": incident.place_name, "after": revision.place_name}
        incident.place_name = revision.place_name
    if "location" in given and revision.location is not None:
        longitude, latitude = revision.location.coordinates
        if (longitude, latitude) != (incident.longitude, incident.latitude):
            moved_m = haversine_m(incident.longitude, incident.latitude, longitude, latitude)
            changes["location"] = {"before": point(incident.longitude, incident.latitude),
                                   "after": point(longitude, latitude), "distance_m": round(moved_m, 1)}
            incident.longitude, incident.latitude = longitude, latitude
    if "description" in given and revision.description is not None and revision.description != incident.description:
        changes["description"] = {"before": incident.description, "after": revision.description}
        incident.description = revision.description
    return changes


def _agencies_with_open_tasks(session: Session, incident: Incident) -> list[tuple[Agency, list[str]]]:
    """Each agency with an open task on the incident, by code, with those tasks' ids."""
    tasks = session.scalars(
        select(Task).where(Task.incident_id == incident.id, Task.status.in_(OPEN_TASK_STATUSES))
        .order_by(Task.created_at, Task.id)
    ).all()
    by_agency: dict[uuid.UUID, tuple[Agency, list[str]]] = {}
    for task in tasks:
        by_agency.setdefault(task.agency_id, (task.agency, []))[1].append(str(task.id))
    return sorted(by_agency.values(), key=lambda item: item[0].code)


def describe_changes(changes: dict[str, dict[str, Any]]) -> str:
    """The changes of a revision in a few words, for the timeline ("severity minor -> severe; moved 120 m")."""
    if not changes:
        return "nothing changed"
    parts = []
    if "severity" in changes:
        parts.append(f"severity {changes['severity']['before']} -> {changes['severity']['after']}")
    if "location" in changes:
        parts.append(f"moved {changes['location']['distance_m']:.0f} m")
    if "place_name" in changes:
        before, after = changes["place_name"]["before"], changes["place_name"]["after"]
        parts.append(f"place {before or '(none)'!s} -> {after or '(none)'!s}")
    if "description" in changes:
        parts.append("description rewritten")
    return "; ".join(parts)
