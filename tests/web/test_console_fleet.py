"""Administrators' console, units and stations: listed by agency, type and status; added and
corrected with their coordinates checked; a unit taken out of service and back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import SYSTEM
from coordination.planner import UnitStatus
from coordination.dispatch_service import StationRegistration, UnitRegistration, register_station, register_unit
from coordination.geojson import GeoPoint
from coordination.store.tables import ResponseUnit, Station
from tests.web.console_session import sign_in_as

pytestmark = pytest.mark.database


@pytest.fixture
def fleet(store, clock, make_agency):
    """A fire station with an engine, and a health station with an ambulance."""
    fire_id, _, _ = make_agency("fire-central", "fire")
    health_id, _, _ = make_agency("ems-central", "health")
    ids = {}
    with store.transaction() as session:
        for agency_id, station_code, unit_code, unit_type in ((fire_id, "FS-1", "E-1", "fire_engine"),
                                                              (health_id, "HS-1", "A-1", "ambulance")):
            station = register_station(session=session, clock=clock, actor=SYSTEM, registration=StationRegistration(
                code=station_code, name=station_code, agency_id=agency_id,
                location=GeoPoint(type="Point", coordinates=(77.59, 12.97))))
            unit = register_unit(session=session, clock=clock, actor=SYSTEM, registration=UnitRegistration(
                code=unit_code, unit_type=unit_type, station_id=station.id))
            ids[station_code], ids[unit_code] = station.id, unit.id
    return ids


def test_units_are_listed_by_agency_type_and_status(client, make_user, fleet):
    sign_in_as(client, make_user)
    every = client.get("/console/admin/fleet").get_data(as_text=True)
    assert 'id="unit-E-1"' in every and 'id="unit-A-1"' in every
    fire = client.get("/console/admin/fleet?agency=fire-central").get_data(as_text=True)
    assert 'id="unit-E-1"' in fire and 'id="unit-A-1"' not in fire and 'id="station-HS-1"' not in fire
    ambulances = client.get("/console/admin/fleet?type=ambulance").get_data(as_text=True)
    assert 'id="unit-A-1"' in ambulances and 'id="unit-E-1"' not in ambulances
    out = client.get("/console/admin/fleet?status=out_of_service").get_data(as_text=True)
    assert "No units match." in out
    assert client.get("/console/admin/fleet?status=asleep").status_code == 400


def test_a_station_is_added_with_its_coordinates_checked(client, make_user, fleet, store):
    csrf = sign_in_as(client, make_user)
    form = {"csrf": csrf, "agency": "fire-central", "code": "FS-2", "name": "Fire station 2"}
    refused = client.post("/console/admin/stations", data={**form, "longitude": "77.6", "latitude": "95"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="station-latitude-error"' in page and "less than or equal to 90" in page
    unreadable = client.post("/console/admin/stations", data={**form, "longitude": "east", "latitude": "12.9"})
    assert 'id="station-longitude-error"' in unreadable.get_data(as_text=True)
    no_agency = client.post("/console/admin/stations", data={**form, "agency": "", "longitude": "77.6",
                                                             "latitude": "12.9"})
    assert 'id="station-agency-error"' in no_agency.get_data(as_text=True)
    assert client.post("/console/admin/stations", data={**form, "longitude": "77.61", "latitude": "12.95"}
                       ).status_code == 302
    with store.transaction() as session:
        station = session.scalar(select(Station).where(Station.code == "FS-2"))
        assert (station.longitude, station.latitude, station.agency.code) == (77.61, 12.95, "fire-central")


def test_a_unit_is_added_only_to_an_agency_that_owns_its_type(client, make_user, fleet, store):
    csrf = sign_in_as(client, make_user)
    form = {"csrf": csrf, "code": "A-2", "unit_type": "ambulance", "station_id": str(fleet["FS-1"])}
    refused = client.post("/console/admin/units", data=form)
    assert refused.status_code == 422
    assert 'id="unit-unit_type-error"' in refused.get_data(as_text=True)
    unknown = client.post("/console/admin/units", data={**form, "station_id": str(fleet["HS-1"]),
                                                        "capabilities": "als, teleportation"})
    assert "unknown capabilities teleportation" in unknown.get_data(as_text=True)
    added = client.post("/console/admin/units", data={**form, "station_id": str(fleet["HS-1"]), "capabilities": "als"})
    assert added.status_code == 302
    with store.transaction() as session:
        unit = session.scalar(select(ResponseUnit).where(ResponseUnit.code == "A-2"))
        assert (unit.agency.code, unit.capabilities, unit.status) == ("ems-central", ["als"], UnitStatus.AVAILABLE)


def test_a_station_is_moved_and_renamed(client, make_user, fleet, store):
    csrf = sign_in_as(client, make_user)
    url = f"/console/admin/stations/{fleet['FS-1']}"
    assert "Fire" not in client.get(url).get_data(as_text=True).split("<h1>")[1].split("</h1>")[0]
    refused = client.post(url, data={"csrf": csrf, "name": "Central", "longitude": "181", "latitude": "12"})
    assert refused.status_code == 422 and 'id="edit-longitude-error"' in refused.get_data(as_text=True)
    assert client.post(url, data={"csrf": csrf, "name": "Central", "longitude": "77.5", "latitude": "12.9"}
                       ).status_code == 302
    with store.transaction() as session:
        station = session.get(Station, fleet["FS-1"])
        assert (station.name, station.longitude, station.latitude) == ("Central", 77.5, 12.9)


def test_a_unit_is_edited_within_its_agency(client, make_user, fleet, store, clock):
    csrf = sign_in_as(client, make_user)
    url = f"/console/admin/units/{fleet['E-1']}"
    other_agency = client.post(url, data={"csrf": csrf, "unit_type": "fire_engine", "station_id": str(fleet["HS-1"])})
    assert other_agency.status_code == 422
    assert 'id="edit-station_id-error"' in other_agency.get_data(as_text=True)
    saved = client.post(url, data={"csrf": csrf, "unit_type": "ladder", "station_id": str(fleet["FS-1"]),
                                   "capabilities": "aerial_ladder"})
    assert saved.status_code == 302
    with store.transaction() as session:
        unit = session.get(ResponseUnit, fleet["E-1"])
        assert (unit.unit_type, unit.capabilities) == ("ladder", ["aerial_ladder"])


def test_a_unit_is_taken_out_of_service_and_back(client, make_user, fleet, store):
    csrf = sign_in_as(client, make_user)
    url = f"/console/admin/units/{fleet['E-1']}/status"
    assert client.post(url, data={"csrf": csrf, "status": "out_of_service", "note": "pump failure"}).status_code == 302
    with store.transaction() as session:
        assert session.get(ResponseUnit, fleet["E-1"]).status is UnitStatus.OUT_OF_SERVICE
    page = client.get(f"/console/admin/units/{fleet['E-1']}").get_data(as_text=True)
    assert "Return to service" in page
    assert client.post(url, data={"csrf": csrf, "status": "en_route"}).status_code == 422
    assert client.post(url, data={"csrf": csrf, "status": "available"}).status_code == 302
    with store.transaction() as session:
        assert session.get(ResponseUnit, fleet["E-1"]).status is UnitStatus.AVAILABLE


def test_unknown_stations_and_units_are_404(client, make_user):
    csrf = sign_in_as(client, make_user)
    nothing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/console/admin/units/{nothing}").status_code == 404
    assert client.get(f"/console/admin/stations/{nothing}").status_code == 404
    assert client.post(f"/console/admin/units/{nothing}/status",
                       data={"csrf": csrf, "status": "out_of_service"}).status_code == 404


def test_who_may_open_the_units_page_is_settled_before_its_filters(client):
    response = client.get("/console/admin/fleet?status=on-fire")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/sign-in")
