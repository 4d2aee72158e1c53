"""Routing: the agency whose jurisdiction covers the point takes the task; overlaps follow the
role's rule; outside every jurisdiction the nearest agency takes it and the duty officer is told."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from coordination.assignment import set_overlap_rule
from coordination.routing import AgencyArea, JurisdictionIndex, OverlapRule, RoutingBasis
from coordination.store.tables import OfficerAlert, Task
from sop_engine import AgencyRole


def square(west: float, south: float, size: float = 1.0) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def area(code: str, geometry: dict | None, priority: int = 100) -> AgencyArea:
    return AgencyArea.from_geojson(uuid.uuid4(), code, geometry, priority)


def test_the_agency_whose_jurisdiction_contains_the_point_takes_the_task():
    index = JurisdictionIndex([area("west", square(0, 0)), area("east", square(1, 0)), area("city", None)])
    decision = index.route(longitude=1.5, latitude=0.5)
    assert [a.code for a in decision.agencies] == ["east"] and decision.basis is RoutingBasis.JURISDICTION


def test_overlapping_jurisdictions_go_to_the_primary_or_to_all_of_them():
    index = JurisdictionIndex([area("b-ward", square(0, 0, 2)), area("a-station", square(1, 1, 2), priority=5),
                               area("c-zone", square(0, 0, 3))])
    primary = index.route(longitude=1.5, latitude=1.5, overlap=OverlapRule.PRIMARY)
    every = index.route(longitude=1.5, latitude=1.5, overlap=OverlapRule.ALL)
    assert [a.code for a in primary.agencies] == ["a-station"]
    assert [a.code for a in every.agencies] == ["a-station", "b-ward", "c-zone"]


def test_a_citywide_agency_takes_what_no_jurisdiction_covers():
    index = JurisdictionIndex([area("west", square(0, 0)), area("city", None)])
    decision = index.route(longitude=5, latitude=5)
    assert [a.code for a in decision.agencies] == ["city"] and decision.basis is RoutingBasis.CITYWIDE


def test_outside_every_jurisdiction_the_nearest_agency_takes_the_task():
    index = JurisdictionIndex([area("west", square(77.0, 12.0, 0.1)), area("east", square(77.3, 12.0, 0.1))])
    decision = index.route(longitude=77.25, latitude=12.05)
    assert [a.code for a in decision.agencies] == ["east"] and decision.basis is RoutingBasis.NEAREST
    assert 5_000 < decision.distance_m < 5_600  # 0.05 degrees of longitude at 12 degrees north


def test_a_role_with_no_agency_routes_to_nobody():
    assert JurisdictionIndex([]).route(longitude=0, latitude=0).basis is RoutingBasis.NOBODY


def test_ten_thousand_jurisdictions_are_indexed_and_each_point_finds_its_own():
    grid = [area(f"ward-{i:03d}-{j:03d}", square(i * 0.01, j * 0.01, 0.01)) for i in range(100) for j in range(100)]
    index = JurisdictionIndex(grid)
    for i, j in [(0, 0), (99, 50), (42, 7), (63, 98)]:
        decision = index.route(longitude=i * 0.01 + 0.005, latitude=j * 0.01 + 0.005)
        assert [a.code for a in decision.agencies] == [f"ward-{i:03d}-{j:03d}"]


@pytest.mark.database
def test_a_task_outside_every_jurisdiction_alerts_the_duty_officer(store, make_agency, make_incident):
    make_agency("fire-north", "fire", jurisdiction=square(77.0, 13.5, 0.2))
    incident_id = make_incident()  # at 77.5946, 12.9716: outside
    with store.transaction() as session:
        [task] = session.scalars(select(Task)).unique().all()
        assert task.agency.code == "fire-north"
        [alert] = session.scalars(select(OfficerAlert)).all()
        assert alert.kind == "routing.outside_jurisdictions" and alert.incident_id == incident_id
        assert "fire-north" in alert.summary


@pytest.mark.database
def test_the_all_rule_gives_each_overlapping_agency_its_own_task(store, clock, make_agency, make_incident):
    make_agency("fire-a", "fire", jurisdiction=square(77.5, 12.9, 0.2))
    make_agency("fire-b", "fire", jurisdiction=square(77.55, 12.95, 0.2))
    with store.transaction() as session:
        set_overlap_rule(session=session, role=AgencyRole.FIRE, overlap=OverlapRule.ALL, at=clock.now())
    make_incident()
    with store.transaction() as session:
        codes = sorted(task.agency.code for task in session.scalars(select(Task)).unique())
    assert codes == ["fire-a", "fire-b"]
