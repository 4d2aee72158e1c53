"""The dispatch flow through the API: units report in, the officer asks for and accepts a plan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import Role, issue_token
from coordination.store.tables import Agency
from tests.web.conftest import FIRE_REPORT, bearer

pytestmark = pytest.mark.database


@pytest.fixture
def city(city, store, clock):
    """The demo city of the web tests; returns an API token for each agency, by code."""
    with store.transaction() as session:
        return {agency.code: issue_token(session=session, clock=clock, name=agency.code, role=Role.AGENCY,
                                         agency_id=agency.id)
                for agency in session.scalars(select(Agency))}


def test_an_agency_sees_and_moves_only_its_own_units(client, city):
    ems = bearer(city["ems-108"])
    units = client.get("/api/v1/units?limit=500", headers=ems).json["items"]
    assert units and {u["agency"]["code"] for u in units} == {"ems-108"}
    stations = client.get("/api/v1/stations", headers=ems).json["items"]
    assert {s["agency"]["code"] for s in stations} == {"ems-108"}
    fire_unit = client.get("/api/v1/units?limit=1", headers=bearer(city["fire-central"])).json["items"][0]
    assert client.get(f"/api/v1/units/{fire_unit['id']}", headers=ems).status_code == 404
    moved = client.post(f"/api/v1/units/{units[0]['id']}/position", headers=ems,
                        json={"location": {"type": "Point", "coordinates": [77.6, 12.98]}})
    assert moved.status_code == 200 and moved.json["location"]["coordinates"] == [77.6, 12.98]
    assert client.post(f"/api/v1/units/{fire_unit['id']}/position", headers=ems,
                       json={"location": {"type": "Point", "coordinates": [77.6, 12.98]}}).status_code == 404


def test_the_duty_officer_asks_accepts_and_the_agencies_get_their_orders(client, city, officer, viewer):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    asked = client.post("/api/v1/dispatch/recommendations", headers=officer,
                        json={"incident_id": incident["id"], "needs": {"fire_engine": 2, "ambulance": 1}})
    assert asked.status_code == 201, asked.json
    recommendation = asked.json
    assert recommendation["status"] == "proposed" and recommendation["proven_optimal"]
    assert len(recommendation["assignments"]) == 3 and recommendation["baseline"]["objective"] is not None
    assert all(a["explanation"] for a in recommendation["assignments"])
    shown = client.get(asked.headers["Location"], headers=viewer)
    assert shown.status_code == 200 and shown.json["id"] == recommendation["id"]

    accepted = client.post(f"/api/v1/dispatch/recommendations/{recommendation['id']}/accept", headers=officer)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["decided_by"] == "duty_officer:night-officer"
    engine = next(d for d in accepted.json["dispatched"] if d["need"] == "fire_engine")

    fire = bearer(city["fire-central"])
    unit = client.get(f"/api/v1/units/{engine['unit_id']}", headers=fire).json
    assert unit["status"] == "dispatched"
    task = client.get(f"/api/v1/tasks/{engine['task_id']}", headers=fire).json
    assert task["run_id"] is None and engine["unit_code"] in task["instruction"]
    assert client.post(f"/api/v1/tasks/{engine['task_id']}/acknowledge", headers=fire).status_code == 200
    for status in ("en_route", "on_scene"):
        reported = client.post(f"/api/v1/units/{engine['unit_id']}/status", headers=fire, json={"status": status})
        assert reported.status_code == 200 and reported.json["status"] == status

    timeline = client.get(f"/api/v1/incidents/{incident['id']}/timeline", headers=officer).json["items"]
    kinds = [entry["kind"] for entry in timeline]
    assert "dispatch.recommended" in kinds and "dispatch.accepted" in kinds and "unit.status" in kinds


def test_a_superseded_recommendation_is_a_conflict(client, city, officer):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    first = client.post("/api/v1/dispatch/recommendations", headers=officer,
                        json={"incident_id": incident["id"], "needs": {"ambulance": 1}}).json
    client.post("/api/v1/dispatch/recommendations", headers=officer,
                json={"incident_id": incident["id"], "needs": {"police_patrol": 1}})
    response = client.post(f"/api/v1/dispatch/recommendations/{first['id']}/accept", headers=officer)
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    assert "superseded" in response.json["detail"]
    proposed = client.get("/api/v1/dispatch/recommendations?status=proposed", headers=officer).json
    assert proposed["total"] == 1 and proposed["items"][0]["id"] != first["id"]
