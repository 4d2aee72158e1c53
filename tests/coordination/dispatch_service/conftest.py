"""Fixtures for the dispatch service: the demo city's agencies and fleet, and small fleets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import DEMO_AGENCIES, SYSTEM, Principal, Role, seed_demo_agencies
from coordination.dispatch_service import StationRegistration, UnitRegistration, register_station, register_unit, seed_demo_fleet
from coordination.geojson import GeoPoint
from coordination.store.tables import Agency, ResponseUnit
from tests.conftest import LOOPBACK

OFFICER = "duty_officer:night-officer"


def hook(code: str) -> str:
    """A webhook URL nothing listens on: the outbox rows are what these tests read."""
    return f"http://127.0.0.1:9/hooks/{code}"


@pytest.fixture
def demo_city(store, clock, shipped_sops) -> dict[str, Principal]:
    """The demo agencies with webhooks, their stations and units; returns each agency as a principal."""
    with store.transaction() as session:
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=LOOPBACK,
                           webhook_url_for={demo.code: hook(demo.code) for demo in DEMO_AGENCIES})
        seed_demo_fleet(session=session, clock=clock)
        agencies = session.scalars(select(Agency)).all()
        return {a.code: Principal(token_id=None, name=a.code, role=Role.AGENCY, agency_id=a.id) for a in agencies}


@pytest.fixture
def make_station(store, clock):
    """Register a station of an agency (by code) at a point; returns its id."""

    def make(agency_code: str, code: str, lon: float = 77.5946, lat: float = 12.9716):
        with store.transaction() as session:
            agency = session.scalar(select(Agency).where(Agency.code == agency_code))
            return register_station(session=session, clock=clock, actor=SYSTEM, registration=StationRegistration(
                code=code, name=code, agency_id=agency.id, location=GeoPoint(type="Point", coordinates=(lon, lat)))).id

    return make


@pytest.fixture
def make_unit(store, clock):
    """Register a unit at a station; returns its id."""

    def make(station_id, code: str, unit_type: str = "ambulance", capabilities: tuple[str, ...] = ()):
        with store.transaction() as session:
            return register_unit(session=session, clock=clock, actor=SYSTEM, registration=UnitRegistration(
                code=code, unit_type=unit_type, station_id=station_id, capabilities=list(capabilities))).id

    return make


def unit_by_code(store, code: str) -> ResponseUnit:
    with store.transaction() as session:
        return session.scalar(select(ResponseUnit).where(ResponseUnit.code == code))
