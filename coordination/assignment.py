"""Assigning a task to agencies: the shell around the pure routing decision.

Loads the role's agencies and its overlap rule, keeps a spatial index per set of jurisdictions
(rebuilt only when an agency of that role changes), and alerts the duty officer when a task had
to go to the nearest agency because no jurisdiction covers the incident.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.officer_alerts import raise_officer_alert
from coordination.routing import AgencyArea, JurisdictionIndex, OverlapRule, RoutingBasis, RoutingDecision
from coordination.store.tables import Agency, Incident, RoutingPolicy
from sop_engine import AgencyRole

_INDEX_CACHE_SIZE = 64  # one per role and version of its jurisdictions; a city has about 15 roles
_cache: OrderedDict[tuple, JurisdictionIndex] = OrderedDict()
_cache_lock = threading.Lock()


def overlap_rule(session: Session, role: AgencyRole) -> OverlapRule:
    """The role's configured overlap rule (default: primary)."""
    policy = session.get(RoutingPolicy, role)
    return OverlapRule(policy.overlap) if policy is not None else OverlapRule.PRIMARY


def set_overlap_rule(*, session: Session, role: AgencyRole, overlap: OverlapRule, at: datetime) -> None:
    policy = session.get(RoutingPolicy, role)
    if policy is None:
        session.add(RoutingPolicy(role=role, overlap=overlap.value, updated_at=at))
    else:
        policy.overlap, policy.updated_at = overlap.value, at


def jurisdiction_index(session: Session, role: AgencyRole) -> JurisdictionIndex:
    """The spatial index of the role's active agencies, from the cache while none has changed."""
    versions = session.execute(
        select(Agency.id, Agency.priority, Agency.created_at, Agency.updated_at)
        .where(Agency.kind == role, Agency.is_active.is_(True))
    ).all()
    key = (role, frozenset((row.id, row.priority, row.updated_at or row.created_at) for row in versions))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    rows = session.execute(
        select(Agency.id, Agency.code, Agency.jurisdiction, Agency.priority)
        .where(Agency.kind == role, Agency.is_active.is_(True))
    ).all()
    index = JurisdictionIndex(AgencyArea.from_geojson(row.id, row.code, row.jurisdiction, row.priority) for row in rows)
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _INDEX_CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def routing_decision(session: Session, role: AgencyRole, incident: Incident) -> RoutingDecision:
    """Who of `role` takes work at the incident's place, by jurisdiction and the role's overlap rule."""
    return jurisdiction_index(session, role).route(
        longitude=incident.longitude, latitude=incident.latitude, overlap=overlap_rule(session, role)
    )


def agencies_for_task(*, session: Session, role: AgencyRole, incident: Incident, step_id: str, at: datetime,
                      decision: RoutingDecision | None = None) -> list[Agency]:
    """Return the agencies that take the task (primary first); alert the duty officer on a fallback.

    `decision`: the routing already decided for this incident and role (see `routing_decision`).
    """
    decision = decision or routing_decision(session, role, incident)
    agencies = [session.get(Agency, area.agency_id) for area in decision.agencies]
    if decision.basis is RoutingBasis.NEAREST:
        nearest = decision.agencies[0]
        raise_officer_alert(
            session, at=at, kind="routing.outside_jurisdictions", incident_id=incident.id,
            summary=f"no {role.value} jurisdiction covers the incident; step {step_id} went to the nearest, "
            f"{nearest.code}, {decision.distance_m:.0f} m away: confirm or reassign",
            data={"role": role.value, "step_id": step_id, "agency": nearest.code,
                  "distance_m": round(decision.distance_m or 0.0, 1)},
        )
    return [agency for agency in agencies if agency is not None]
