"""Reading stations and response units."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.planner import UnitStatus
from coordination.store.tables import Agency, ResponseUnit, Station


def stations_query(*, agency_id: uuid.UUID | None = None) -> Select:
    """Stations by code; `agency_id` keeps one agency's."""
    query = select(Station).order_by(Station.code)
    if agency_id is not None:
        query = query.where(Station.agency_id == agency_id)
    return query


def units_query(*, agency_id: uuid.UUID | None = None, status: UnitStatus | None = None) -> Select:
    """Units by call sign; `agency_id` keeps one agency's, `status` those in it."""
    query = select(ResponseUnit).order_by(ResponseUnit.code)
    if agency_id is not None:
        query = query.where(ResponseUnit.agency_id == agency_id)
    if status is not None:
        query = query.where(ResponseUnit.status == status)
    return query


def all_stations(session: Session) -> Sequence[Station]:
    """Every station, by code."""
    return session.scalars(stations_query()).unique().all()


def stations_of(session: Session, agency_id: uuid.UUID) -> Sequence[Station]:
    """An agency's stations, by code."""
    return session.scalars(stations_query(agency_id=agency_id)).unique().all()


def find_station(session: Session, station_id: uuid.UUID) -> Station | None:
    return session.get(Station, station_id)


def find_unit(session: Session, unit_id: uuid.UUID) -> ResponseUnit | None:
    return session.get(ResponseUnit, unit_id)


def fleet_listing(session: Session, *, agency_code: str = "", unit_type: str = "", status: str = "",
                  unit_limit: int) -> tuple[Sequence[Station], Sequence[ResponseUnit]]:
    """Stations and units (`unit_limit` at most) by code, narrowed to an agency (by code), a unit
    type and a unit status (the type and status narrow the units only); an empty filter keeps all."""
    stations = select(Station).join(Agency, Station.agency_id == Agency.id).order_by(Station.code)
    units = select(ResponseUnit).join(Agency, ResponseUnit.agency_id == Agency.id).order_by(ResponseUnit.code)
    if agency_code:
        stations = stations.where(Agency.code == agency_code)
        units = units.where(Agency.code == agency_code)
    if unit_type:
        units = units.where(ResponseUnit.unit_type == unit_type)
    if status:
        units = units.where(ResponseUnit.status == status)
    return session.scalars(stations).unique().all(), session.scalars(units.limit(unit_limit)).unique().all()
