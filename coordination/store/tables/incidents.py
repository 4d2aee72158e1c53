"""Incidents, the reports linked to them as duplicates, and the duty officer's alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.lifecycles import (
    IncidentStatus,
)
from coordination.store.tables.base import Base, _enum
from sop_engine import Severity

if TYPE_CHECKING:  # relationships name their targets; SQLAlchemy finds them in the registry
    from coordination.store.tables.runs import SopRunRecord, Task


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_type: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    status: Mapped[IncidentStatus] = mapped_column(_enum(IncidentStatus), default=IncidentStatus.OPEN)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    place_name: Mapped[str | None] = mapped_column(String(200))
    """Where, in words ("Town Hall", a CAP alert's <areaDesc>); None when only coordinates were given."""
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_phone: Mapped[str] = mapped_column(String(50), default="")
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Optional facts SOP conditions read: casualties, people trapped, hazardous material..."""
    parent_incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    """The incident whose SOP spawned this one (a cascade: flood -> power outage)."""
    spawned_by_step: Mapped[str | None] = mapped_column(String(64))

    runs: Mapped[list[SopRunRecord]] = relationship(back_populates="incident", order_by="SopRunRecord.started_at")
    tasks: Mapped[list[Task]] = relationship(back_populates="incident", order_by="Task.created_at")


class DuplicateReport(Base):
    """A report of an incident already open nearby: linked to it instead of opening another."""

    __tablename__ = "duplicate_reports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    incident_type: Mapped[str] = mapped_column(String(64))
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    place_name: Mapped[str | None] = mapped_column(String(200))
    """Where this report says it is, in words (it may name the spot differently from the incident)."""
    description: Mapped[str] = mapped_column(Text, default="")
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_phone: Mapped[str] = mapped_column(String(50), default="")
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime]


class OfficerAlert(Base):
    """Something the duty officer must look at: a task routed by the nearest-agency fallback, an
    endpoint disabled by 410 Gone, a dead letter, a CAP alert that could not become an incident."""

    __tablename__ = "officer_alerts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
