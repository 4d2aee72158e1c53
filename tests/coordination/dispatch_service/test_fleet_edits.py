"""Correcting the fleet's records: a station renamed and moved; a unit's type, home station and
capabilities changed within its own agency and its agency's kind; each change on the timeline."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from coordination import SYSTEM, InvalidInput, NotFound
from coordination.dispatch_service import StationChange, UnitChange, edit_station, edit_unit
from coordination.geojson import GeoPoint
from coordination.store.tables import ResponseUnit, Station, TimelineEntry

pytestmark = pytest.mark.database


@pytest.fixture
def fire_and_health(make_agency, make_station, make_unit):
    make_agency("fire-central", "fire")
    make_agency("ems-central", "health")
    fire_station = make_station("fire-central", "FS-1")
    ids = {"FS-1": fire_station, "FS-2": make_station("fire-central", "FS-2"), "HS-1": make_station("ems-central", "HS-1")}
    ids["E-1"] = make_unit(fire_station, "E-1", "fire_engine")
    return ids


def change_unit(store, clock, unit_id, **change):
    with store.transaction() as session:
        return edit_unit(session=session, clock=clock, unit_id=unit_id, actor=SYSTEM,
                         change=UnitChange.model_validate(change))


def test_a_station_is_renamed_and_moved_on_the_record(store, clock, fire_and_health):
    with store.transaction() as session:
        edit_station(session=session, clock=clock, station_id=fire_and_health["FS-1"], actor=SYSTEM,
                     change=StationChange(name="Central", location=GeoPoint(type="Point", coordinates=(77.5, 12.9))))
    with store.transaction() as session:
        station = session.get(Station, fire_and_health["FS-1"])
        assert (station.name, station.longitude, station.latitude) == ("Central", 77.5, 12.9)
        assert session.scalar(select(TimelineEntry.kind).order_by(TimelineEntry.seq.desc())) == "station.edited"


def test_a_station_off_the_globe_is_refused_naming_the_coordinate():
    with pytest.raises(ValidationError) as raised:
        StationChange.model_validate({"name": "x", "location": {"type": "Point", "coordinates": [77.5, 91]}})
    assert raised.value.errors()[0]["loc"] == ("location", "coordinates", 1)


def test_a_unit_changes_type_station_and_capabilities_within_its_agency(store, clock, fire_and_health):
    change_unit(store, clock, fire_and_health["E-1"], unit_type="ladder", station_id=fire_and_health["FS-2"],
                capabilities=["aerial_ladder", "aerial_ladder"])
    with store.transaction() as session:
        unit = session.get(ResponseUnit, fire_and_health["E-1"])
        assert (unit.unit_type, unit.station.code, unit.capabilities) == ("ladder", "FS-2", ["aerial_ladder"])


@pytest.mark.parametrize(("change", "field"), [
    ({"unit_type": "ambulance"}, "unit_type"),
    ({"station": "HS-1"}, "station_id"),
])
def test_a_unit_stays_within_its_agency_and_its_kind(store, clock, fire_and_health, change, field):
    values = {"unit_type": change.get("unit_type", "fire_engine"),
              "station_id": fire_and_health[change.get("station", "FS-1")]}
    with pytest.raises(InvalidInput) as raised:
        change_unit(store, clock, fire_and_health["E-1"], **values)
    assert raised.value.field == field


def test_unknown_units_stations_and_types_are_refused(store, clock, fire_and_health):
    with pytest.raises(NotFound):
        change_unit(store, clock, uuid.uuid4(), unit_type="fire_engine", station_id=fire_and_health["FS-1"])
    with pytest.raises(InvalidInput, match="does not exist"):
        change_unit(store, clock, fire_and_health["E-1"], unit_type="fire_engine", station_id=uuid.uuid4())
    with pytest.raises(ValidationError, match="unknown unit type"):
        UnitChange.model_validate({"unit_type": "hovercraft", "station_id": str(uuid.uuid4())})
