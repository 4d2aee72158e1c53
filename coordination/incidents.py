"""Declaring incidents: record the report and start the SOP it triggers, in one transaction."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.clock import Clock
from coordination.geojson import GeoPoint, Latitude, Longitude  # noqa: F401 - re-exported
from coordination.principals import Principal
from coordination.runs import start_matching_sop
from coordination.store.tables import Incident
from sop_engine import INCIDENT_TYPES, Severity

PLACE_NAME_MAX_LENGTH = 200
"""Room for "Fire and Emergency Services, Central, station 1" or a street crossing; CAP's
<areaDesc> and the gazetteer's longer names are cut to it."""

DESCRIPTION_MAX_LENGTH = 4000


def _stripped_or_none(value: object) -> object:
    # Before the length check, so surrounding spaces never count; blank means no name.
    if isinstance(value, str):
        return value.strip() or None
    return value


PlaceName = Annotated[Annotated[str, Field(max_length=PLACE_NAME_MAX_LENGTH)] | None,
                      BeforeValidator(_stripped_or_none)]
"""Where, in words ("MG Road junction"), for people; the location stays the point."""

Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]


class Reporter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=50)


class IncidentDetails(BaseModel):
    """Optional facts that SOP conditions read (`incident.casualties > 0`...)."""

    model_config = ConfigDict(extra="forbid")

    casualties: int | None = Field(default=None, ge=0, le=1_000_000)
    people_trapped: int | None = Field(default=None, ge=0, le=1_000_000)
    people_affected: int | None = Field(default=None, ge=0, le=100_000_000)
    hazardous_material: bool | None = None
    mass_gathering: bool | None = None

    def reported(self) -> dict[str, int | bool]:
        return {name: value for name, value in self.model_dump().items() if value is not None}


class IncidentReport(BaseModel):
    """What a duty officer (or an integration) reports to declare an incident."""

    model_config = ConfigDict(extra="forbid")

    type: str
    severity: Severity
    location: GeoPoint
    place_name: PlaceName = None
    """Where, in words ("MG Road junction"), for people; the location stays the point."""
    description: Description = ""
    reporter: Reporter
    is_exercise: bool = False
    details: IncidentDetails = Field(default_factory=IncidentDetails)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in INCIDENT_TYPES:
            raise ValueError(f"unknown incident type {value!r}; known types: {', '.join(sorted(INCIDENT_TYPES))}")
        return value


def declare_incident(*, session: Session, clock: Clock, report: IncidentReport, actor: Principal) -> Incident:
    """Record a new incident and start the active SOP whose trigger it matches.

    The incident, the run, its first tasks, the timeline entries and the webhook messages are
    written in the caller's transaction: they commit together or not at all.
    """
    now = clock.now()
    longitude, latitude = report.location.coordinates
    incident = Incident(
        incident_type=report.type, severity=report.severity, longitude=longitude, latitude=latitude,
        place_name=report.place_name, description=report.description, reporter_name=report.reporter.name,
        reporter_phone=report.reporter.phone, is_exercise=report.is_exercise, declared_by=actor.label,
        declared_at=now, details=report.details.reported(),
    )
    session.add(incident)
    session.flush()
    metrics.INCIDENTS_DECLARED.labels(type=report.type).inc()
    audit.record(session, at=now, kind="incident.declared", actor=actor.label, incident_id=incident.id,
                 summary=f"{report.severity.value} {report.type} declared{' (exercise)' if report.is_exercise else ''}",
                 data={"type": report.type, "severity": report.severity.value, "location": [longitude, latitude],
                       "place_name": report.place_name})
    start_matching_sop(session=session, clock=clock, incident=incident, actor=actor.label)
    return incident
