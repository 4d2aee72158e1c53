"""Starting an SOP by hand through the API: any active SOP for the incident's type, whatever
its minimum severity; not twice at once, not on a closed incident; duty officers only."""

from __future__ import annotations

import pytest

from coordination import DEMO_AGENCIES, seed_demo_agencies
from tests.web.conftest import FIRE_REPORT, LOOPBACK, bearer

pytestmark = pytest.mark.database


@pytest.fixture
def agencies(store, clock):
    with store.transaction() as session:
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=LOOPBACK,
                           webhook_url_for={demo.code: f"http://127.0.0.1:9/{demo.code}" for demo in DEMO_AGENCIES})


def test_an_officer_starts_an_sop_no_trigger_matched_and_its_tasks_go_out(client, agencies, officer, viewer):
    minor = client.post("/api/v1/incidents", headers=officer,
                        json={**FIRE_REPORT, "type": "road_accident", "severity": "minor"}).json
    assert minor["runs"] == [] and minor["tasks"] == []
    listed = client.get(f"/api/v1/incidents/{minor['id']}/startable-sops", headers=viewer)
    assert listed.status_code == 200
    assert [(sop["id"], sop["min_severity"]) for sop in listed.json["items"]] == [("road-accident", "moderate")]

    started = client.post(f"/api/v1/incidents/{minor['id']}/runs", headers=officer, json={"sop_id": "road-accident"})
    assert started.status_code == 201, started.json
    assert started.json["sop"]["id"] == "road-accident" and started.json["status"] == "running"
    incident = client.get(f"/api/v1/incidents/{minor['id']}", headers=officer).json
    assert incident["tasks"] and len(incident["runs"]) == 1
    timeline = client.get(f"/api/v1/incidents/{minor['id']}/timeline", headers=officer).json["items"]
    started_entry = next(entry for entry in timeline if entry["kind"] == "sop.started")
    assert started_entry["actor"] == "duty_officer:night-officer"


def test_a_second_sop_beside_the_first_but_never_the_same_one_twice(client, agencies, officer):
    fire = client.post("/api/v1/incidents", headers=officer, json=FIRE_REPORT).json
    assert [run["sop"]["id"] for run in fire["runs"]] == ["building-fire"]
    again = client.post(f"/api/v1/incidents/{fire['id']}/runs", headers=officer, json={"sop_id": "building-fire"})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert "already running" in again.json["detail"]
    major = client.post(f"/api/v1/incidents/{fire['id']}/runs", headers=officer,
                        json={"sop_id": "building-fire-major"})
    assert major.status_code == 201


def test_bad_requests_name_the_field(client, agencies, officer):
    fire = client.post("/api/v1/incidents", headers=officer, json=FIRE_REPORT).json
    url = f"/api/v1/incidents/{fire['id']}/runs"
    wrong_type = client.post(url, headers=officer, json={"sop_id": "urban-flood"})
    assert wrong_type.status_code == 422 and wrong_type.json["field"] == "sop_id"
    assert "active SOPs for this type: building-fire, building-fire-major" in wrong_type.json["detail"]
    missing = client.post(url, headers=officer, json={})
    assert missing.status_code == 422 and missing.json["field"] == "sop_id"
    extra = client.post(url, headers=officer, json={"sop_id": "building-fire-major", "version": 1})
    assert extra.status_code == 422 and extra.json["field"] == "version"
    nowhere = client.post("/api/v1/incidents/00000000-0000-4000-8000-000000000000/runs", headers=officer,
                          json={"sop_id": "building-fire"})
    assert nowhere.status_code == 404
    client.post(f"/api/v1/incidents/{fire['id']}/stand-down", headers=officer, json={"reason": "false alarm"})
    closed = client.post(url, headers=officer, json={"sop_id": "building-fire-major"})
    assert closed.status_code == 409 and "open incident" in closed.json["detail"]


def test_only_duty_officers_and_administrators_start_sops(client, officer, viewer, make_agency):
    fire = client.post("/api/v1/incidents", headers=officer, json=FIRE_REPORT).json
    url = f"/api/v1/incidents/{fire['id']}/runs"
    body = {"sop_id": "building-fire-major"}
    assert client.post(url, headers=viewer, json=body).status_code == 403
    _id, token, _secret = make_agency("fire-central", "fire")
    agency = bearer(token)
    assert client.post(url, headers=agency, json=body).status_code == 403
    assert client.get(f"/api/v1/incidents/{fire['id']}/startable-sops", headers=agency).status_code == 403
    assert client.post(url, json=body).status_code == 401
