"""Stations and units of every agency: registration, AVL positions and status reports.

An agency sees and changes only its own units; another agency's unit does not exist for it
(404, like its tasks). A status changes only through `UNIT_MOVES`, and only an accepted
recommendation dispatches a unit.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.planner import PREEMPTIBLE_STATUSES, UNIT_MOVES, TravelTimes, Unit, UnitStatus
from coordination.planner.orders import ASSIGNMENT_MOVES, DEMAND_MOVES, AssignmentStatus, DemandStatus
from coordination.errors import Conflict, Forbidden, InvalidInput, NotFound
from coordination.geojson import GeoPoint
from coordination.lifecycles import TASK_MOVES, TaskStatus, require_move
from coordination.principals import Principal, Role
from coordination.store.tables import Agency, DispatchAssignment, DispatchDemand, ResponseUnit, Station, Task
from sop_engine.vocabulary import UNIT_TYPES  # not yet exported by sop_engine (issue 3 owns it)

UNIT_CAPABILITIES: frozenset[str] = frozenset({
    "als", "bls", "neonatal", "hazmat", "breathing_apparatus", "aerial_ladder", "heavy_rescue", "water_rescue",
    "diving", "high_volume_pump", "dewatering", "generator", "potable_water", "crowd_control", "k9",
    "bomb_disposal", "tree_cutting", "line_repair", "gas_detection",
})
"""What a unit can do beyond its type; a demand may ask for a capability instead of a type."""

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9\-_]{0,63}$"

AVL_CLOCK_SKEW = timedelta(seconds=60)
"""A fix may be stamped this far ahead of the engine's clock (device clocks drift); more is an error."""

REPORTABLE_STATUSES = frozenset(UnitStatus) - {UnitStatus.DISPATCHED}
"""What an agency reports about its unit; dispatching is the duty officer's decision."""

UNIT_READERS = {Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER}
UNIT_REPORTERS = {Role.AGENCY, Role.ADMINISTRATOR}
"""An agency's AVL gateway reports with the agency's token; an administrator may replay a feed."""


def known_unit_type(value: str) -> str:
    if value not in UNIT_TYPES:
        raise ValueError(f"unknown unit type {value!r}; known types: {', '.join(sorted(UNIT_TYPES))}")
    return value


def known_capabilities(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - UNIT_CAPABILITIES)
    if unknown:
        raise ValueError(f"unknown capabilities {', '.join(unknown)}; known: {', '.join(sorted(UNIT_CAPABILITIES))}")
    return sorted(set(value))


class StationRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    agency_id: uuid.UUID
    location: GeoPoint


class UnitChange(BaseModel):
    """What a unit is: its type, its home station and what else it can do (an edit changes these)."""

    model_config = ConfigDict(extra="forbid")

    unit_type: str
    station_id: uuid.UUID
    capabilities: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("unit_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return known_unit_type(value)

    @field_validator("capabilities")
    @classmethod
    def _known_capabilities(cls, value: list[str]) -> list[str]:
        return known_capabilities(value)


class UnitRegistration(UnitChange):
    """A unit joins the fleet at its home station (where it stands until its first AVL fix)."""

    code: str = Field(pattern=CODE_PATTERN)


class PositionFix(BaseModel):
    """One AVL fix: where the unit is, and when the device measured it (default: now)."""

    model_config = ConfigDict(extra="forbid")

    location: GeoPoint
    fixed_at: AwareDatetime | None = None


class StatusReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: UnitStatus
    note: str = Field(default="", max_length=1000)


def register_station(*, session: Session, clock: Clock, registration: StationRegistration,
                     actor: Principal) -> Station:
    """Add a station of an existing agency.

    Raises:
        InvalidInput: no such agency (field `agency_id`).
        Conflict: the code is taken.
    """
    agency = session.get(Agency, registration.agency_id)
    if agency is None:
        raise InvalidInput(f"agency {registration.agency_id} does not exist", field="agency_id")
    if session.scalar(select(Station.id).where(Station.code == registration.code)) is not None:
        raise Conflict(f"station code {registration.code!r} is already registered")
    longitude, latitude = registration.location.coordinates
    station = Station(agency_id=agency.id, code=registration.code, name=registration.name, longitude=longitude,
                      latitude=latitude, created_at=clock.now())
    station.agency = agency
    session.add(station)
    session.flush()
    audit.record(session, at=clock.now(), kind="station.registered", actor=actor.label,
                 summary=f"station {station.code} of {agency.code} registered",
                 data={"station_id": str(station.id), "agency": agency.code})
    return station


def register_unit(*, session: Session, clock: Clock, registration: UnitRegistration, actor: Principal) -> ResponseUnit:
    """Add a unit to the fleet of its station's agency, available at the station.

    Raises:
        InvalidInput: no such station (`station_id`), or the station's agency does not own units
            of this type (`unit_type`: an ambulance belongs to a health agency).
        Conflict: the code is taken.
    """
    station = session.get(Station, registration.station_id)
    if station is None:
        raise InvalidInput(f"station {registration.station_id} does not exist", field="station_id")
    owner = UNIT_TYPES[registration.unit_type]
    if station.agency.kind is not owner:
        raise InvalidInput(f"a {registration.unit_type} belongs to a {owner.value} agency, not to "
                           f"{station.agency.code} ({station.agency.kind.value})", field="unit_type")
    if session.scalar(select(ResponseUnit.id).where(ResponseUnit.code == registration.code)) is not None:
        raise Conflict(f"unit code {registration.code!r} is already registered")
    now = clock.now()
    unit = ResponseUnit(
        agency_id=station.agency_id, station_id=station.id, code=registration.code,
        unit_type=registration.unit_type, capabilities=list(registration.capabilities),
        status=UnitStatus.AVAILABLE, longitude=station.longitude, latitude=station.latitude,
        committed_priority=0, created_at=now, updated_at=now,
    )
    unit.agency, unit.station = station.agency, station
    session.add(unit)
    session.flush()
    audit.record(session, at=now, kind="unit.registered", actor=actor.label,
                 summary=f"unit {unit.code} ({unit.unit_type}) of {station.agency.code} at {station.code}",
                 data={"unit_id": str(unit.id), "agency": station.agency.code, "unit_type": unit.unit_type})
    return unit


def visible_unit(*, session: Session, principal: Principal, unit_id: uuid.UUID, for_update: bool = False) -> ResponseUnit:
    """Return the unit if the principal may see it.

    Raises:
        NotFound: no such unit, or it belongs to another agency.
        Forbidden: the principal's role does not read units.
    """
    if principal.role not in UNIT_READERS:
        raise Forbidden(f"the {principal.role.value} role does not read units")
    query = select(ResponseUnit).where(ResponseUnit.id == unit_id)
    if principal.role is Role.AGENCY:
        query = query.where(ResponseUnit.agency_id == principal.agency_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=ResponseUnit)
    unit = session.scalars(query).unique().one_or_none()
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist")
    return unit


def record_position(*, session: Session, clock: Clock, principal: Principal, unit_id: uuid.UUID,
                    fix: PositionFix) -> ResponseUnit:
    """Move a unit to its latest AVL fix. A fix older than the one held is ignored (AVL arrives out of order).

    Raises:
        NotFound, Forbidden: see `visible_unit`; only the unit's agency (or an administrator) reports.
        InvalidInput: the fix is stamped in the future (`fixed_at`).
    """
    _require_reporter(principal)
    unit = visible_unit(session=session, principal=principal, unit_id=unit_id, for_update=True)
    now = clock.now()
    fixed_at = fix.fixed_at or now
    if fixed_at > now + AVL_CLOCK_SKEW:
        raise InvalidInput(f"the fix is stamped {fixed_at.isoformat()}, ahead of the engine's clock", field="fixed_at")
    if unit.position_fixed_at is not None and fixed_at <= unit.position_fixed_at:
        return unit
    unit.longitude, unit.latitude = fix.location.coordinates
    unit.position_fixed_at = fixed_at
    unit.updated_at = now
    return unit


def report_status(*, session: Session, clock: Clock, principal: Principal, unit_id: uuid.UUID,
                  report: StatusReport) -> ResponseUnit:
    """Apply an agency's status report for its unit, and settle the assignment it was serving.

    On scene and returning keep the unit counted for its incident (returning ends the
    assignment as done); available or out of service before it served stands it down, so its
    incident's demand opens again for the next recommendation. Repeating a report changes nothing.

    Raises:
        NotFound, Forbidden: see `visible_unit`.
        InvalidInput: `dispatched` is reported (only an accepted recommendation dispatches).
        InvalidTransition: `UNIT_MOVES` does not allow the move.
    """
    _require_reporter(principal)
    if report.status not in REPORTABLE_STATUSES:
        raise InvalidInput("a unit is dispatched by accepting a recommendation, not by a status report",
                           field="status")
    unit = visible_unit(session=session, principal=principal, unit_id=unit_id, for_update=True)
    if unit.status is report.status:
        return unit
    now = clock.now()
    previous = unit.status
    require_move(f"unit {unit.code}", previous, report.status, UNIT_MOVES)
    unit.status = report.status
    unit.updated_at = now
    if report.status not in PREEMPTIBLE_STATUSES and report.status is not UnitStatus.ON_SCENE:
        unit.committed_priority = 0
    assignment = active_assignment(session=session, unit_id=unit.id)
    if assignment is not None and report.status in (UnitStatus.RETURNING, UnitStatus.AVAILABLE,
                                                    UnitStatus.OUT_OF_SERVICE):
        served = previous in (UnitStatus.ON_SCENE, UnitStatus.RETURNING)
        end_assignment(session=session, assignment=assignment, now=now,
                       to=AssignmentStatus.DONE if served else AssignmentStatus.STOOD_DOWN)
    audit.record(session, at=now, kind="unit.status", actor=principal.label,
                 incident_id=assignment.incident_id if assignment else None,
                 summary=f"unit {unit.code}: {previous.value} -> {report.status.value}"
                 + (f" ({report.note})" if report.note else ""),
                 data={"unit_id": str(unit.id), "from": previous.value, "to": report.status.value})
    return unit


def active_assignment(*, session: Session, unit_id: uuid.UUID) -> DispatchAssignment | None:
    """The assignment a unit is serving now, if any."""
    return session.scalars(
        select(DispatchAssignment).where(DispatchAssignment.unit_id == unit_id,
                                         DispatchAssignment.status == AssignmentStatus.ACTIVE)
    ).unique().one_or_none()


def end_assignment(*, session: Session, assignment: DispatchAssignment, now: datetime, to: AssignmentStatus) -> None:
    """End a unit's assignment; if it no longer counts, its demand opens again and its open task is cancelled."""
    require_move(f"assignment {assignment.id}", assignment.status, to, ASSIGNMENT_MOVES)
    assignment.status = to
    assignment.ended_at = now
    if to.counts:
        return
    demand = session.get(DispatchDemand, assignment.demand_id)
    if demand is not None and demand.status is DemandStatus.MET:
        require_move(f"demand {demand.id}", demand.status, DemandStatus.OPEN, DEMAND_MOVES)
        demand.status = DemandStatus.OPEN
    task = session.get(Task, assignment.task_id) if assignment.task_id else None
    if task is not None and task.status.is_open:
        require_move(f"task {task.id}", task.status, TaskStatus.CANCELLED, TASK_MOVES)
        task.status = TaskStatus.CANCELLED
        task.updated_at = now


def snapshot_units(*, session: Session, travel: TravelTimes) -> list[Unit]:
    """Every unit as the pure dispatch core sees it, snapped to the road network in one query."""
    rows = session.scalars(select(ResponseUnit).order_by(ResponseUnit.code)).unique().all()
    if not rows:
        return []
    nodes = travel.nearest_nodes(points=[(row.longitude, row.latitude) for row in rows])
    return [
        Unit(id=str(row.id), agency_id=str(row.agency_id), unit_type=row.unit_type, node=node, status=row.status,
             capabilities=frozenset(row.capabilities), committed_priority=row.committed_priority)
        for row, node in zip(rows, nodes)
    ]


def _require_reporter(principal: Principal) -> None:
    if principal.role not in UNIT_REPORTERS:
        raise Forbidden(f"the {principal.role.value} role does not report unit positions or status")
