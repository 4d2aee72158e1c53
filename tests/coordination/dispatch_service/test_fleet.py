"""Stations and units: the demo fleet, registration rules, AVL positions and status reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import SYSTEM, Forbidden, InvalidInput, InvalidTransition, NotFound, Principal, Role
from coordination.planner import UnitStatus
from coordination.dispatch_service import (
    DEMO_FLEET,
    PositionFix,
    StatusReport,
    UnitRegistration,
    record_position,
    register_unit,
    report_status,
    seed_demo_fleet,
)
from coordination.geojson import GeoPoint
from coordination.store.tables import Agency, ResponseUnit, Station
from sop_engine.vocabulary import UNIT_TYPES
from tests.coordination.dispatch_service.conftest import unit_by_code

pytestmark = pytest.mark.database


def at(lon: float, lat: float) -> GeoPoint:
    return GeoPoint(type="Point", coordinates=(lon, lat))


def test_the_demo_city_has_units_of_the_right_agency_for_every_type(store, demo_city):
    with store.transaction() as session:
        units = session.scalars(select(ResponseUnit)).unique().all()
        stations = session.scalars(select(Station)).unique().all()
        assert len(units) == sum(kind.stations * len(kind.units) for kind in DEMO_FLEET)
        assert len(stations) == sum(kind.stations for kind in DEMO_FLEET)
        for unit in units:
            assert unit.agency.kind is UNIT_TYPES[unit.unit_type], unit.code
            assert unit.status is UnitStatus.AVAILABLE
            assert (unit.longitude, unit.latitude) == (unit.station.longitude, unit.station.latitude)
        assert {"ambulance", "fire_engine", "rescue_boat", "police_patrol", "pump"} <= {u.unit_type for u in units}


def test_seeding_the_demo_fleet_twice_adds_nothing(store, clock, demo_city):
    with store.transaction() as session:
        assert seed_demo_fleet(session=session, clock=clock) == 0


def test_a_unit_type_belongs_to_its_kind_of_agency(store, clock, demo_city):
    with store.transaction() as session:
        fire_station = session.scalar(select(Station).where(Station.code == "FS-01"))
        with pytest.raises(InvalidInput) as error:
            register_unit(session=session, clock=clock, actor=SYSTEM, registration=UnitRegistration(
                code="AMB-X", unit_type="ambulance", station_id=fire_station.id))
    assert error.value.field == "unit_type"


def test_an_agency_moves_only_its_own_units(store, clock, demo_city):
    ambulance = unit_by_code(store, "EMS-01-1")
    with store.transaction() as session, pytest.raises(NotFound):
        record_position(session=session, clock=clock, principal=demo_city["fire-central"], unit_id=ambulance.id,
                        fix=PositionFix(location=at(77.6, 12.97)))
    with store.transaction() as session:
        moved = record_position(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=ambulance.id,
                                fix=PositionFix(location=at(77.6, 12.97)))
        assert (moved.longitude, moved.latitude) == (77.6, 12.97)
        assert moved.position_fixed_at == clock.now()


def test_a_fix_older_than_the_last_one_is_ignored(store, clock, demo_city):
    """AVL messages overtake each other on mobile networks: the newest fix wins, whatever arrives last."""
    ambulance = unit_by_code(store, "EMS-01-1")
    ems = demo_city["ems-108"]
    with store.transaction() as session:
        record_position(session=session, clock=clock, principal=ems, unit_id=ambulance.id,
                        fix=PositionFix(location=at(77.60, 12.97), fixed_at=clock.now()))
    with store.transaction() as session:
        unit = record_position(session=session, clock=clock, principal=ems, unit_id=ambulance.id,
                               fix=PositionFix(location=at(77.55, 12.95), fixed_at=clock.now() - timedelta(seconds=5)))
        assert (unit.longitude, unit.latitude) == (77.60, 12.97)


def test_a_fix_from_the_future_is_refused(store, clock, demo_city):
    ambulance = unit_by_code(store, "EMS-01-1")
    with store.transaction() as session, pytest.raises(InvalidInput) as error:
        record_position(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=ambulance.id,
                        fix=PositionFix(location=at(77.6, 12.97), fixed_at=clock.now() + timedelta(minutes=10)))
    assert error.value.field == "fixed_at"


def test_status_reports_follow_the_transition_table(store, clock, demo_city):
    ambulance = unit_by_code(store, "EMS-01-1")
    ems = demo_city["ems-108"]
    with store.transaction() as session, pytest.raises(InvalidTransition) as error:
        report_status(session=session, clock=clock, principal=ems, unit_id=ambulance.id,
                      report=StatusReport(status=UnitStatus.ON_SCENE))
    assert (error.value.current, error.value.requested) == ("available", "on_scene")
    with store.transaction() as session:
        unit = report_status(session=session, clock=clock, principal=ems, unit_id=ambulance.id,
                             report=StatusReport(status=UnitStatus.OUT_OF_SERVICE, note="puncture"))
        assert unit.status is UnitStatus.OUT_OF_SERVICE
    with store.transaction() as session:
        again = report_status(session=session, clock=clock, principal=ems, unit_id=ambulance.id,
                              report=StatusReport(status=UnitStatus.OUT_OF_SERVICE))
        assert again.status is UnitStatus.OUT_OF_SERVICE


def test_only_a_recommendation_dispatches_a_unit(store, clock, demo_city):
    ambulance = unit_by_code(store, "EMS-01-1")
    with store.transaction() as session, pytest.raises(InvalidInput) as error:
        report_status(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=ambulance.id,
                      report=StatusReport(status=UnitStatus.DISPATCHED))
    assert error.value.field == "status"


def test_a_viewer_does_not_report_positions(store, clock, demo_city):
    ambulance = unit_by_code(store, "EMS-01-1")
    viewer = Principal(token_id=None, name="wall", role=Role.VIEWER)
    with store.transaction() as session, pytest.raises(Forbidden):
        record_position(session=session, clock=clock, principal=viewer, unit_id=ambulance.id,
                        fix=PositionFix(location=at(77.6, 12.97)))


def test_every_demo_agency_with_units_has_a_station(store, demo_city):
    with store.transaction() as session:
        codes = {a.code for a in session.scalars(select(Agency).join(Station, Station.agency_id == Agency.id))}
    assert codes == {kind.agency_code for kind in DEMO_FLEET}
