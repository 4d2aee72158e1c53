"""The duty officer's API: decisions, notices, stand-downs and SOP versions, over HTTP."""

from __future__ import annotations

import random

import pytest
from standardwebhooks import Webhook

from coordination import HttpSender, deliver_due_messages
from tests.conftest import LOOPBACK
from tests.coordination.test_duty import CHEMICAL_SOP, OUTAGE_SOP, stand_in_for_the_shipped_sops
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database

YAML = {"Content-Type": "application/yaml"}
SPILL = {**FIRE_REPORT, "type": "chemical_accident", "details": {"hazardous_material": True, "casualties": 2}}


@pytest.fixture
def chemical_sops(client, admin, make_agency, receiver, store):
    secrets = {}
    for code, kind in [("fire-central", "fire"), ("police-central", "police"), ("ndrf", "disaster_management"),
                       ("ems", "health"), ("discom", "electricity")]:
        _id, _token, secret = make_agency(code, kind, receiver.url(f"/{code}"))
        secrets[code] = secret
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    for text in (CHEMICAL_SOP, OUTAGE_SOP):
        assert client.post("/api/v1/sops", data=text, headers={**admin, **YAML}).status_code == 201
    return secrets


def open_decision(client, officer, incident_id, step_id):
    listed = client.get(f"/api/v1/decisions?status=open&incident_id={incident_id}", headers=officer).json["items"]
    return next(item for item in listed if item["step_id"] == step_id)


def test_a_duty_officer_sees_a_decision_takes_it_and_the_sop_follows(client, officer, chemical_sops):
    incident = client.post("/api/v1/incidents", json=SPILL, headers=officer).json
    assert incident["details"] == {"casualties": 2, "hazardous_material": True}
    decision = open_decision(client, officer, incident["id"], "verify")
    assert (decision["kind"], decision["text"], decision["options"]) == (
        "decision", "Is it a real spill?", ["spill", "false_alarm"])

    wrong = client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": "maybe"}, headers=officer)
    assert (wrong.status_code, wrong.json["field"]) == (422, "choice")
    taken = client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": "spill"}, headers=officer)
    assert taken.status_code == 200 and taken.json["answered_by"] == "duty_officer:night-officer"
    again = client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": "spill"}, headers=officer)
    assert again.status_code == 200
    contrary = client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": "false_alarm"},
                           headers=officer)
    assert contrary.status_code == 409 and contrary.content_type == "application/problem+json"

    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json
    steps = {step["id"]: step for step in detail["runs"][0]["steps"]}
    assert steps["verify"]["outcome"] == "spill"
    assert steps["close_false_alarm"]["status"] == "skipped"
    assert steps["warn_public"]["status"] == "active"
    assert [deadline["kind"] for deadline in steps["warn_public"]["deadlines"]] == ["step"]
    assert {deadline["kind"] for deadline in steps["contain"]["deadlines"]} == {"ack", "complete"}
    assert [child["type"] for child in detail["linked_incidents"]] == ["power_outage"]

    notice = open_decision(client, officer, incident["id"], "warn_public")
    client.post(f"/api/v1/decisions/{notice['id']}/answer", json={"choice": "approve"}, headers=officer)
    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json
    assert [item["message"] for item in detail["public_notices"]] == ["Keep windows shut near the depot"]


def test_standing_down_tells_each_agency_its_task_is_cancelled(client, store, clock, officer, chemical_sops,
                                                               receiver):
    incident = client.post("/api/v1/incidents", json=SPILL, headers=officer).json
    response = client.post(f"/api/v1/incidents/{incident['id']}/stand-down", json={"reason": "drill ended"},
                           headers=officer)
    assert response.status_code == 200 and response.json["status"] == "closed"
    deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(1), allowed_hosts=LOOPBACK)
    cancelled = []
    for request in receiver.requests:
        payload = Webhook(chemical_sops[request.path.strip("/")]).verify(request.body, request.headers)
        if payload["type"] == "task.cancelled":
            cancelled.append((request.path, payload["data"]["reason"], payload["data"]["task"]["status"]))
    assert cancelled == [("/fire-central", "stood down: drill ended", "cancelled")]
    again = client.post(f"/api/v1/incidents/{incident['id']}/stand-down", json={"reason": "x"}, headers=officer)
    assert again.status_code == 409


def test_sop_versions_are_read_activated_and_retired(client, officer, admin, chemical_sops):
    version = client.get("/api/v1/sops/chemical-test/versions/1", headers=officer).json
    assert version["status"] == "active"
    assert version["critical_path"] == {"steps": ["contain"], "duration_s": 3600}
    assert {step["kind"] for step in version["steps"]} == {"task", "notify", "decision", "end", "dispatch", "spawn"}
    assert client.get("/api/v1/sops/schema", headers=officer).json["title"] == "ICCC standard operating procedure"

    second = OUTAGE_SOP.replace("version: 1", "version: 2")
    drafted = client.post("/api/v1/sops?activate=false", data=second, headers={**admin, **YAML})
    assert drafted.json["status"] == "inactive"
    assert client.post("/api/v1/sops/outage-test/versions/2/activate", headers=admin).json["status"] == "active"
    assert client.get("/api/v1/sops/outage-test/versions/1", headers=officer).json["status"] == "inactive"
    retired = client.post("/api/v1/sops/outage-test/versions/1/retire", headers=admin).json
    assert retired["status"] == "retired"
    refused = client.post("/api/v1/sops/outage-test/versions/1/activate", headers=admin)
    assert refused.status_code == 409 and "retired" in refused.json["detail"]


def test_an_invalid_upload_gets_the_validators_messages_with_lines(client, admin, chemical_sops):
    broken = CHEMICAL_SOP.replace("after: [verify == spill]\n    notify", "after: [verify == leak]\n    notify")
    response = client.post("/api/v1/sops", data=broken, headers={**admin, **YAML})
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"line": 17, "field": "steps.4.after.0", "message": "decision 'verify' has no option 'leak'; its options: "
                                                            "spill, false_alarm"}]
