"""What the console's map shows, read from the store: jurisdictions and stations, units with their
current task, open incidents, and past incidents for the heat map (GeoJSON features).

Queries only; the web layer adds its links. Positions are as stored (WGS 84 longitude, latitude).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.lifecycles import IncidentStatus
from coordination.planner.orders import AssignmentStatus
from coordination.store.tables import Agency, DispatchAssignment, Incident, ResponseUnit, Station
from sop_engine import Severity

MAX_OPEN_INCIDENTS_SHOWN = 500
MAX_HISTORY_INCIDENTS = 20_000
"""Points in one heat map: months of a large city's incidents, a few hundred kilobytes."""

HEAT_WEIGHT = {Severity.MINOR: 0.4, Severity.MODERATE: 0.6, Severity.SEVERE: 0.8, Severity.EXTREME: 1.0}


def point(longitude: float, latitude: float, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": properties}


def collection(features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def jurisdictions_and_stations(*, session: Session) -> tuple[dict, dict]:
    """Agencies' jurisdictions (with a point inside each for its label) and every station."""
    agencies = session.scalars(select(Agency).where(Agency.jurisdiction.is_not(None)).order_by(Agency.code)).all()
    stations = session.scalars(select(Station).order_by(Station.code)).unique().all()
    jurisdictions = collection(
        {"type": "Feature", "geometry": agency.jurisdiction,
         "properties": {"code": agency.code, "name": agency.name, "kind": agency.kind.value,
                        "label_point": _label_point(agency.jurisdiction)}}
        for agency in agencies if agency.jurisdiction)
    return jurisdictions, collection(
        point(station.longitude, station.latitude, code=station.code, name=station.name,
              agency=station.agency.code, kind=station.agency.kind.value)
        for station in stations)


def units_now(*, session: Session, now: datetime) -> list[tuple[dict, ResponseUnit, DispatchAssignment | None]]:
    """Every unit as a feature (status, seconds since its last fix), with its active assignment."""
    units = session.scalars(select(ResponseUnit).order_by(ResponseUnit.code)).unique().all()
    active = {a.unit_id: a for a in session.scalars(
        select(DispatchAssignment).where(DispatchAssignment.status == AssignmentStatus.ACTIVE)).unique()}
    rows = []
    for unit in units:
        seen_s = (now - unit.position_fixed_at).total_seconds() if unit.position_fixed_at else None
        assignment = active.get(unit.id)
        rows.append((point(unit.longitude, unit.latitude, id=str(unit.id), code=unit.code, unit_type=unit.unit_type,
                           agency=unit.agency.code, status=unit.status.value, seen_s=seen_s,
                           task_label=assignment.need if assignment else None), unit, assignment))
    return rows


def open_incidents(*, session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).where(Incident.status == IncidentStatus.OPEN)
                                .order_by(Incident.declared_at.desc()).limit(MAX_OPEN_INCIDENTS_SHOWN)).unique())


def incident_history(*, session: Session, since: datetime) -> dict:
    """Incidents declared since `since`, whatever became of them, weighted by severity (heat map)."""
    rows = session.execute(select(Incident.longitude, Incident.latitude, Incident.severity)
                           .where(Incident.declared_at >= since).order_by(Incident.declared_at.desc())
                           .limit(MAX_HISTORY_INCIDENTS)).all()
    return collection(point(lon, lat, weight=HEAT_WEIGHT[severity]) for lon, lat, severity in rows)


def history_since(*, now: datetime, hours: int) -> datetime:
    return now - timedelta(hours=hours)


def _label_point(geometry: dict) -> list[float]:
    """A point inside the area (its centroid when that is inside), for its name on the map."""
    area = shape(geometry)
    inside = area.centroid if area.contains(area.centroid) else shapely.point_on_surface(area)
    return [round(inside.x, 6), round(inside.y, 6)]
