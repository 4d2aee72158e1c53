"""Stations, units, and dispatch demands, recommendations and assignments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.planner.orders import (
    AssignmentStatus,
    DemandStatus,
    RecommendationStatus,
)
from coordination.planner.units import UnitStatus
from coordination.store.tables.base import Base, _enum

if TYPE_CHECKING:  # relationships name their targets; SQLAlchemy finds them in the registry
    from coordination.store.tables.people import Agency


class Station(Base):
    """Where an agency's units are based and return to between calls."""

    __tablename__ = "stations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)


class ResponseUnit(Base):
    """A vehicle or team of one agency: its type, capabilities, status and last AVL position."""

    __tablename__ = "units"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    station_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stations.id"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    """Call sign, e.g. AMB-12."""
    unit_type: Mapped[str] = mapped_column(String(64))
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[UnitStatus] = mapped_column(_enum(UnitStatus), default=UnitStatus.AVAILABLE)
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    position_fixed_at: Mapped[datetime | None]
    """Time of the last AVL fix (None: still at its station's position)."""
    committed_priority: Mapped[int] = mapped_column(Integer, default=0)
    """Priority of the incident a dispatched or en-route unit serves, for pre-emption."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)
    station: Mapped[Station | None] = relationship(lazy="joined")


class DispatchDemand(Base):
    """An incident's request for units (from a duty officer or an SOP dispatch step)."""

    __tablename__ = "dispatch_demands"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    needs: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Unit type or capability -> how many units."""
    status: Mapped[DemandStatus] = mapped_column(_enum(DemandStatus), default=DemandStatus.OPEN, index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    sop_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"))
    sop_step_id: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]


class DispatchRecommendation(Base):
    """One run of the dispatch policy over every open demand, and the duty officer's decision."""

    __tablename__ = "dispatch_recommendations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    """The incident whose request produced it (None: a city-wide re-plan)."""
    status: Mapped[RecommendationStatus] = mapped_column(_enum(RecommendationStatus),
                                                         default=RecommendationStatus.PROPOSED)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime]
    sop_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"))
    sop_step_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    plan_status: Mapped[str] = mapped_column(String(32))
    proven_optimal: Mapped[bool] = mapped_column(Boolean)
    solver_status: Mapped[str] = mapped_column(String(64))
    objective: Mapped[int] = mapped_column(BigInteger)
    unserved_weight: Mapped[int] = mapped_column(BigInteger)
    baseline_objective: Mapped[int | None] = mapped_column(BigInteger)
    baseline_unserved_weight: Mapped[int | None] = mapped_column(BigInteger)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Assignments, unserved needs, explanations and options, as the API shows them."""
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]


class DispatchAssignment(Base):
    """A unit sent to an incident by an accepted recommendation, and the task that told its agency."""

    __tablename__ = "dispatch_assignments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispatch_recommendations.id"), index=True)
    demand_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dispatch_demands.id"), index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"))
    need: Mapped[str] = mapped_column(String(64))
    eta_s: Mapped[int] = mapped_column(Integer)
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus), default=AssignmentStatus.ACTIVE)
    preempted: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatched_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    unit: Mapped[ResponseUnit] = relationship(lazy="joined", innerjoin=True)
