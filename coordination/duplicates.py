"""Duplicate reports: a report of the same type close in place and time to an open incident is
linked to it, not opened as another incident.

Reports are serialised while they look for a match (the writer lock on PostgreSQL, taken before
the search; SQLite's BEGIN IMMEDIATE serialises every transaction), so two identical reports
arriving at the same moment open one incident, not two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.incidents import IncidentReport, declare_incident
from coordination.lifecycles import IncidentStatus
from coordination.principals import Principal
from coordination.routing import haversine_m
from coordination.store.tables import DuplicateReport, Incident
from coordination.store.writer_lock import take_writer_lock


@dataclass(frozen=True)
class DuplicatePolicy:
    """Within `distance_m` and `window`, a report of the same type is the same incident."""

    distance_m: float = 300.0
    window: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class ReportOutcome:
    incident: Incident
    duplicate: DuplicateReport | None
    """Set when the report was linked to an open incident instead of opening one."""


def open_duplicate_of(session: Session, *, report: IncidentReport, policy: DuplicatePolicy, clock: Clock
                      ) -> tuple[Incident, float] | None:
    """The nearest open incident this report duplicates, with its distance in metres, if any."""
    longitude, latitude = report.location.coordinates
    degrees_lat = policy.distance_m / 111_000.0
    degrees_lon = degrees_lat / max(0.01, math.cos(math.radians(latitude)))
    candidates = session.scalars(
        select(Incident).where(
            Incident.incident_type == report.type, Incident.status == IncidentStatus.OPEN,
            Incident.is_exercise == report.is_exercise, Incident.declared_at >= clock.now() - policy.window,
            Incident.latitude.between(latitude - degrees_lat, latitude + degrees_lat),
            Incident.longitude.between(longitude - degrees_lon, longitude + degrees_lon),
        )
    ).all()
    scored = [(haversine_m(longitude, latitude, c.longitude, c.latitude), c.declared_at, str(c.id), c)
              for c in candidates]
    scored = [item for item in scored if item[0] <= policy.distance_m]
    if not scored:
        return None
    distance, _at, _id, incident = min(scored)
    return incident, distance


def report_incident(*, session: Session, clock: Clock, report: IncidentReport, actor: Principal,
                    policy: DuplicatePolicy) -> ReportOutcome:
    """Declare the incident, or link the report to the open incident it duplicates."""
    take_writer_lock(session)  # before the search, so that a report made meanwhile is found
    match = open_duplicate_of(session, report=report, policy=policy, clock=clock)
    if match is None:
        return ReportOutcome(declare_incident(session=session, clock=clock, report=report, actor=actor), None)
    incident, distance = match
    longitude, latitude = report.location.coordinates
    now = clock.now()
    duplicate = DuplicateReport(
        incident_id=incident.id, incident_type=report.type, severity=report.severity, longitude=longitude,
        latitude=latitude, distance_m=round(distance, 1), place_name=report.place_name,
        description=report.description, reporter_name=report.reporter.name, reporter_phone=report.reporter.phone,
        reported_by=actor.label, reported_at=now,
    )
    session.add(duplicate)
    session.flush()
    audit.record(session, at=now, kind="incident.duplicate_reported", actor=actor.label, incident_id=incident.id,
                 summary=f"another {report.severity.value} {report.type} report {distance:.0f} m away: linked here",
                 data={"duplicate_report_id": str(duplicate.id), "distance_m": round(distance, 1)})
    return ReportOutcome(incident, duplicate)
