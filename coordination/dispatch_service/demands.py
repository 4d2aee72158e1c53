"""Open demands: what each open incident still needs, read from its requests and the units sent.

A demand row records one request (a duty officer's or an SOP dispatch step's). What it still
needs is what it asked for less the units whose assignments count for it (dispatched, on scene,
or done); a diverted or stood-down unit stops counting, so its demand opens again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.planner import Demand, TravelTimes, priority_for
from coordination.planner.orders import AssignmentStatus, DemandStatus
from coordination.dispatch_service.fleet import UNIT_CAPABILITIES
from coordination.errors import InvalidInput
from coordination.lifecycles import IncidentStatus
from coordination.store.tables import DispatchAssignment, DispatchDemand, Incident
from coordination.store.writer_lock import take_writer_lock
from sop_engine.vocabulary import UNIT_TYPES  # not yet exported by sop_engine (issue 3 owns it)

MAX_UNITS_PER_NEED = 50
"""More than this many units of one kind for one request is a typing error, not a plan."""


def serialise_dispatch(session: Session) -> None:
    """Let one transaction at a time plan or accept, taking the writer lock before it reads.

    A recommendation supersedes the proposals before it and reads every open demand and unit;
    two planners at once would each leave a proposal current, made on what the other changes.
    The writer lock (not a lock of the planner's own, which deadlocked against the timeline's:
    see `writer_lock.py`) also keeps every other change out while the planner reads.
    """
    take_writer_lock(session)


def checked_needs(needs: Mapping[str, int]) -> dict[str, int]:
    """Return the needs if every name is a unit type or capability and every count is 1..50.

    Raises:
        InvalidInput: naming the offending need as `needs.<name>`.
    """
    if not isinstance(needs, Mapping):
        raise InvalidInput("needs must map unit types or capabilities to counts", field="needs")
    checked = {}
    for name, count in needs.items():
        if name not in UNIT_TYPES and name not in UNIT_CAPABILITIES:
            raise InvalidInput(f"{name!r} is neither a unit type nor a capability", field=f"needs.{name}")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_UNITS_PER_NEED:
            raise InvalidInput(f"ask for 1 to {MAX_UNITS_PER_NEED} units of {name}", field=f"needs.{name}")
        checked[name] = count
    return checked


@dataclass(frozen=True)
class OpenDemand:
    """An incident's outstanding needs, merged over its open requests, with its demand rows."""

    incident: Incident
    outstanding: dict[str, int]
    rows: tuple[DispatchDemand, ...]
    """Oldest first: a dispatched unit is credited to the oldest request still short of its need."""


def outstanding_of(*, session: Session, demand: DispatchDemand) -> dict[str, int]:
    """What one request still needs: asked less the units that count for it."""
    counted: dict[str, int] = defaultdict(int)
    for need, status in session.execute(
        select(DispatchAssignment.need, DispatchAssignment.status).where(DispatchAssignment.demand_id == demand.id)
    ):
        if AssignmentStatus(status).counts:
            counted[need] += 1
    return {need: count - counted[need] for need, count in demand.needs.items() if count > counted[need]}


def open_demands(*, session: Session) -> list[OpenDemand]:
    """Every open incident's outstanding needs, oldest incident first."""
    rows = session.scalars(
        select(DispatchDemand).join(Incident, Incident.id == DispatchDemand.incident_id)
        .where(DispatchDemand.status == DemandStatus.OPEN, Incident.status == IncidentStatus.OPEN)
        .order_by(Incident.declared_at, Incident.id, DispatchDemand.requested_at, DispatchDemand.id)
    ).all()
    by_incident: dict[uuid.UUID, list[DispatchDemand]] = defaultdict(list)
    for row in rows:
        by_incident[row.incident_id].append(row)
    result = []
    for incident_id, demand_rows in by_incident.items():
        outstanding: dict[str, int] = defaultdict(int)
        for row in demand_rows:
            for need, count in outstanding_of(session=session, demand=row).items():
                outstanding[need] += count
        if outstanding:
            result.append(OpenDemand(incident=session.get(Incident, incident_id), outstanding=dict(outstanding),
                                     rows=tuple(demand_rows)))
    return result


def pure_demands(*, demands: list[OpenDemand], travel: TravelTimes) -> list[Demand]:
    """The open demands as the dispatch core sees them: at the road node nearest each incident."""
    if not demands:
        return []
    nodes = travel.nearest_nodes(points=[(d.incident.longitude, d.incident.latitude) for d in demands])
    return [
        Demand(incident_id=str(d.incident.id), node=node, needs=tuple(sorted(d.outstanding.items())),
               priority=priority_for(severity=d.incident.severity))
        for d, node in zip(demands, nodes)
    ]
