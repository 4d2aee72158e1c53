"""The first real path: incident -> SOP -> signed webhook -> agency answer -> run complete."""

from __future__ import annotations

from datetime import timedelta

import random

import pytest
from standardwebhooks import Webhook

from coordination import HttpSender, deliver_due_messages
from tests.conftest import LOOPBACK
from tests.web.conftest import FIRE_REPORT, bearer

pytestmark = pytest.mark.database


def deliver(store, clock):
    return deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(5),
                                allowed_hosts=LOOPBACK)


def test_agencies_receive_verify_and_answer_until_the_incident_is_resolved(
    client, store, clock, officer, make_agency, receiver
):
    agencies = {}
    for code, kind in (("fire-central", "fire"), ("police-central", "police"), ("discom", "electricity"),
                       ("ems", "health"), ("municipal", "municipal")):
        _id, token, secret = make_agency(code, kind, receiver.url(f"/{code}"))
        agencies[code] = (token, secret)

    response = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    assert response.status_code == 201, response.json
    incident_id = response.json["id"]
    assert response.headers["Location"].endswith(incident_id)
    assert {task["step_id"] for task in response.json["tasks"]} == {"fire_response", "cordon", "isolate_supply"}

    answered = set()
    for _round in range(6):
        deliver(store, clock)
        for request in receiver.requests:
            code = request.path.strip("/")
            token, secret = agencies[code]
            payload = Webhook(secret).verify(request.body, request.headers)
            task_id = payload["data"]["task"]["id"]
            if payload["type"] != "task.created" or task_id in answered:
                continue
            answered.add(task_id)
            for action in ("acknowledge", "complete"):
                reply = client.post(f"/api/v1/tasks/{task_id}/{action}", headers=bearer(token))
                assert reply.status_code == 200, reply.json
        clock.advance(seconds=10)

    incident = client.get(f"/api/v1/incidents/{incident_id}", headers=officer).json
    assert incident["status"] == "resolved"
    assert incident["runs"][0]["status"] == "completed"
    assert {step["status"] for step in incident["runs"][0]["steps"]} == {"done"}
    assert len(answered) == 5  # every step's task was delivered, verified and answered
    timeline = client.get(f"/api/v1/incidents/{incident_id}/timeline", headers=officer).json["items"]
    assert timeline[0]["kind"] == "incident.declared" and timeline[-1]["kind"] == "sop.completed"


def test_an_agency_sees_and_answers_only_its_own_tasks(client, officer, make_agency):
    _fire, fire_token, _ = make_agency("fire-central", "fire")
    _police, police_token, _ = make_agency("police-central", "police")
    make_agency("discom", "electricity")
    tasks = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json["tasks"]
    fire_task = next(task for task in tasks if task["step_id"] == "fire_response")

    listed = client.get("/api/v1/tasks", headers=bearer(police_token)).json["items"]
    assert [task["agency"]["code"] for task in listed] == ["police-central"]
    assert client.get(f"/api/v1/tasks/{fire_task['id']}", headers=bearer(police_token)).status_code == 404
    refused = client.post(f"/api/v1/tasks/{fire_task['id']}/acknowledge", headers=bearer(police_token))
    assert refused.status_code == 404
    assert refused.content_type == "application/problem+json"
    assert client.get(f"/api/v1/tasks/{fire_task['id']}", headers=bearer(fire_token)).status_code == 200


def test_repeating_an_answer_returns_the_same_result(client, officer, make_agency):
    _fire, fire_token, _ = make_agency("fire-central", "fire")
    tasks = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json["tasks"]
    task_id = tasks[0]["id"]
    first = client.post(f"/api/v1/tasks/{task_id}/acknowledge", headers=bearer(fire_token))
    second = client.post(f"/api/v1/tasks/{task_id}/acknowledge", headers=bearer(fire_token))
    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"note": "out"}, headers=bearer(fire_token))
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"note": "out"}, headers=bearer(fire_token))
    assert done.json == again.json and again.json["status"] == "completed"


def test_the_delivery_log_shows_every_attempt(client, store, clock, officer, make_agency, receiver):
    _fire, fire_token, _ = make_agency("fire-central", "fire", receiver.url())
    task_id = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json["tasks"][0]["id"]
    receiver.fail_next = 1
    deliver(store, clock)
    clock.advance(minutes=1)
    deliver(store, clock)
    log = client.get(f"/api/v1/tasks/{task_id}/deliveries", headers=bearer(fire_token)).json["items"]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in log[0]["attempts"]] == [
        (1, 503, "failed"), (2, 204, "delivered")]
    first, second = log[0]["attempts"]
    assert (first["at"], first["error"]) == ((clock.now() - timedelta(minutes=1)).isoformat(), "HTTP 503")
    assert second["error"] == "" and all(attempt["latency_ms"] >= 0 for attempt in (first, second))
    assert log[0]["status"] == "delivered"


def test_viewers_do_not_see_reporters(client, officer, viewer, make_agency):
    make_agency("fire-central", "fire")
    incident_id = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json["id"]
    assert "reporter" in client.get(f"/api/v1/incidents/{incident_id}", headers=officer).json
    assert "reporter" not in client.get(f"/api/v1/incidents/{incident_id}", headers=viewer).json


def test_administrators_register_agencies_and_the_token_works(client, admin):
    response = client.post("/api/v1/agencies", headers=admin, json={
        "code": "water-board", "name": "Water Board", "kind": "water", "webhook_url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 201
    assert response.json["webhook_secret"].startswith("whsec_")
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/tasks", headers=bearer(response.json["api_token"])).json["items"] == []
