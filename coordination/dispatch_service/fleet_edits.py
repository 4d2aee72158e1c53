"""Administrators correct the fleet's records: a station's name and place, a unit's type, home
station and capabilities. Status is never edited here: a unit leaves service through the same
status report an agency sends (`report_status`), so its assignment is settled the same way."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.dispatch_service.fleet import UnitChange
from coordination.errors import InvalidInput, NotFound
from coordination.geojson import GeoPoint
from coordination.principals import Principal
from coordination.store.tables import ResponseUnit, Station
from sop_engine.vocabulary import UNIT_TYPES


class StationChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    location: GeoPoint


def edit_station(*, session: Session, clock: Clock, station_id: uuid.UUID, change: StationChange,
                 actor: Principal) -> Station:
    """Rename or move a station. Its units keep their own positions (AVL or where they stand).

    Raises:
        NotFound: no such station.
    """
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"station {station_id} does not exist")
    longitude, latitude = change.location.coordinates
    station.name, station.longitude, station.latitude = change.name, longitude, latitude
    audit.record(session, at=clock.now(), kind="station.edited", actor=actor.label,
                 summary=f"station {station.code}: {change.name} at {longitude:.5f}, {latitude:.5f}",
                 data={"station_id": str(station.id)})
    return station


def edit_unit(*, session: Session, clock: Clock, unit_id: uuid.UUID, change: UnitChange,
              actor: Principal) -> ResponseUnit:
    """Change a unit's type, home station (of the same agency) and capabilities.

    Raises:
        NotFound: no such unit.
        InvalidInput: no such station, or one of another agency (`station_id`); a type the
            agency does not own (`unit_type`).
    """
    unit = session.get(ResponseUnit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist")
    station = session.get(Station, change.station_id)
    if station is None:
        raise InvalidInput(f"station {change.station_id} does not exist", field="station_id")
    if station.agency_id != unit.agency_id:
        raise InvalidInput(f"station {station.code} belongs to {station.agency.code}, not to the unit's agency "
                           f"{unit.agency.code}", field="station_id")
    owner = UNIT_TYPES[change.unit_type]
    if unit.agency.kind is not owner:
        raise InvalidInput(f"a {change.unit_type} belongs to a {owner.value} agency, not to "
                           f"{unit.agency.code} ({unit.agency.kind.value})", field="unit_type")
    now = clock.now()
    unit.unit_type, unit.station_id, unit.capabilities = change.unit_type, station.id, list(change.capabilities)
    unit.station = station
    unit.updated_at = now
    audit.record(session, at=now, kind="unit.edited", actor=actor.label,
                 summary=f"unit {unit.code}: {unit.unit_type} at {station.code}"
                 + (f" ({', '.join(unit.capabilities)})" if unit.capabilities else ""),
                 data={"unit_id": str(unit.id)})
    return unit
