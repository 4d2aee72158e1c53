"""Reading incidents: the list, one incident, and what hangs off it (escalations, decisions,
public notices, the incidents it spawned, duplicate reports, CAP alerts, its timeline)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.lifecycles import IncidentStatus
from coordination.queries.text_search import any_contains
from coordination.store.tables import (
    CapAlertRecord,
    DuplicateReport,
    DutyRequest,
    Escalation,
    Incident,
    PublicNotice,
    TimelineEntry,
)
from sop_engine import Severity


def incidents_query(*, status: IncidentStatus | None = None) -> Select:
    """Incidents, newest first; `status` keeps those in it."""
    query = select(Incident).order_by(Incident.declared_at.desc(), Incident.id)
    if status is not None:
        query = query.where(Incident.status == status)
    return query


def board_incidents(session: Session, *, status: IncidentStatus | None = None, severity: Severity | None = None,
                    incident_type: str = "", exercise: bool | None = None, text: str = "",
                    limit: int) -> Sequence[Incident]:
    """The board's incidents, open ones first and newest first, `limit` at most, narrowed by each
    filter given; `text` is found in the description, the place name, the type (where "building
    fire" finds building_fire) and the reporter's name."""
    query = select(Incident)
    if status is not None:
        query = query.where(Incident.status == status)
    if severity is not None:
        query = query.where(Incident.severity == severity)
    if incident_type:
        query = query.where(Incident.incident_type == incident_type)
    if exercise is not None:
        query = query.where(Incident.is_exercise.is_(exercise))
    if text:
        query = query.where(any_contains([(Incident.description, text), (Incident.place_name, text),
                                          (Incident.incident_type, text.lower().replace(" ", "_")),
                                          (Incident.reporter_name, text)]))
    return session.scalars(query.order_by((Incident.status == IncidentStatus.OPEN).desc(),
                                          Incident.declared_at.desc()).limit(limit)).unique().all()


def find_incident(session: Session, incident_id: uuid.UUID) -> Incident | None:
    return session.get(Incident, incident_id)


def existing_incident(session: Session, incident_id: uuid.UUID) -> Incident:
    """The incident, or NotFound."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return incident


def escalations_of(session: Session, incident_id: uuid.UUID) -> Sequence[Escalation]:
    """The incident's escalations, oldest first."""
    return session.scalars(select(Escalation).where(Escalation.incident_id == incident_id)
                           .order_by(Escalation.raised_at)).all()


def decisions_of(session: Session, incident_id: uuid.UUID) -> Sequence[DutyRequest]:
    """The decisions asked of the duty officer about the incident, oldest first."""
    return session.scalars(select(DutyRequest).where(DutyRequest.incident_id == incident_id)
                           .order_by(DutyRequest.created_at)).all()


def public_notices_of(session: Session, incident_id: uuid.UUID) -> Sequence[PublicNotice]:
    """The public notices the incident's SOP published, oldest first."""
    return session.scalars(select(PublicNotice).where(PublicNotice.incident_id == incident_id)
                           .order_by(PublicNotice.published_at)).all()


def linked_incidents_of(session: Session, incident_id: uuid.UUID) -> Sequence[Incident]:
    """The incidents the incident's SOP spawned, oldest first."""
    return session.scalars(select(Incident).where(Incident.parent_incident_id == incident_id)
                           .order_by(Incident.declared_at)).all()


def duplicate_reports_of(session: Session, incident_id: uuid.UUID) -> Sequence[DuplicateReport]:
    """The reports linked to the incident as duplicates, oldest first."""
    return session.scalars(select(DuplicateReport).where(DuplicateReport.incident_id == incident_id)
                           .order_by(DuplicateReport.reported_at, DuplicateReport.id)).all()


def cap_alerts_of(session: Session, incident_id: uuid.UUID) -> Sequence[CapAlertRecord]:
    """The CAP alerts that acted on the incident, oldest first."""
    return session.scalars(select(CapAlertRecord).where(CapAlertRecord.incident_id == incident_id)
                           .order_by(CapAlertRecord.received_at, CapAlertRecord.id)).all()


def timeline_query(incident_id: uuid.UUID) -> Select:
    """The incident's timeline entries, oldest first."""
    return select(TimelineEntry).where(TimelineEntry.incident_id == incident_id).order_by(TimelineEntry.seq)


def latest_timeline_entries(session: Session, incident_id: uuid.UUID, *, limit: int) -> Sequence[TimelineEntry]:
    """The incident's newest `limit` timeline entries, newest first."""
    return session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
                           .order_by(TimelineEntry.seq.desc()).limit(limit)).all()
