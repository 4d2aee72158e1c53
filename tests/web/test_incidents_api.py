"""The incidents API says where an incident is in words as well as by its point: a client gives
`place_name` when declaring and every reader gets it back. A duty officer revises an open
incident with PATCH: only what is sent changes, and the agencies working it are told."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from coordination.store.tables import WebhookMessage
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def test_a_place_name_declared_is_read_back_from_the_list_and_the_incident(client, officer, viewer):
    declared = client.post("/api/v1/incidents", json={**FIRE_REPORT, "place_name": " MG Road junction "},
                           headers=officer)
    assert declared.status_code == 201, declared.json
    assert declared.json["place_name"] == "MG Road junction"
    read = client.get(declared.headers["Location"], headers=viewer).json  # the wall screen reads it too
    assert (read["place_name"], read["location"]) == ("MG Road junction", FIRE_REPORT["location"])
    [listed] = client.get("/api/v1/incidents", headers=officer).json["items"]
    assert listed["place_name"] == "MG Road junction"


@pytest.mark.parametrize("given", [{}, {"place_name": None}, {"place_name": "  "}])
def test_an_incident_declared_without_a_place_name_has_none(client, officer, given):
    declared = client.post("/api/v1/incidents", json={**FIRE_REPORT, **given}, headers=officer)
    assert declared.status_code == 201, declared.json
    assert client.get(declared.headers["Location"], headers=officer).json["place_name"] is None


def test_the_openapi_document_offers_place_name_with_its_limit(client):
    schema = client.get("/api/v1/openapi.json").json
    place_name = schema["components"]["schemas"]["IncidentReport"]["properties"]["place_name"]
    assert {"type": "string", "maxLength": 200} in place_name["anyOf"]


def test_a_duty_officer_revises_an_incident_and_the_agencies_working_it_are_told(client, officer, viewer, store,
                                                                              make_agency):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    declared = client.post("/api/v1/incidents", json={**FIRE_REPORT, "place_name": "MG Road"}, headers=officer).json
    moved = {"type": "Point", "coordinates": [77.5956, 12.9716]}
    response = client.patch(f"/api/v1/incidents/{declared['id']}", headers=officer,
                            json={"severity": "extreme", "location": moved, "place_name": "Brigade Road"})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["severity"], body["location"], body["place_name"]) == ("extreme", moved, "Brigade Road")
    assert body["description"] == FIRE_REPORT["description"]  # left out, so left alone
    assert [task["agency"]["code"] for task in body["tasks"]] == ["fire-central"]  # tasks keep their agency
    entries = client.get(f"/api/v1/incidents/{declared['id']}/timeline", headers=viewer).json["items"]
    [revised] = [entry for entry in entries if entry["kind"] == "incident.revised"]
    assert revised["actor"].endswith("night-officer")
    assert set(revised["data"]["changes"]) == {"severity", "location", "place_name"}
    assert revised["data"]["agencies_told"] == ["fire-central"]
    with store.transaction() as session:
        [message] = session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == "incident.updated")
                                    ).unique().all()
        data = json.loads(message.body)["data"]
        assert data["incident"]["severity"] == "extreme" and data["changes"] == revised["data"]["changes"]


def test_revising_nothing_new_answers_the_incident_and_records_nothing(client, officer):
    declared = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    response = client.patch(f"/api/v1/incidents/{declared['id']}", json={"severity": FIRE_REPORT["severity"]},
                            headers=officer)
    assert response.status_code == 200 and response.json["severity"] == FIRE_REPORT["severity"]
    kinds = [entry["kind"] for entry in client.get(f"/api/v1/incidents/{declared['id']}/timeline",
                                                   headers=officer).json["items"]]
    assert "incident.revised" not in kinds


def test_a_closed_incident_cannot_be_revised(client, officer):
    declared = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    client.post(f"/api/v1/incidents/{declared['id']}/stand-down", json={"reason": "false alarm"}, headers=officer)
    response = client.patch(f"/api/v1/incidents/{declared['id']}", json={"severity": "extreme"}, headers=officer)
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    assert "only an open incident can be revised" in response.json["detail"]


def test_the_openapi_document_describes_the_revision(client):
    document = client.get("/api/v1/openapi.json").json
    patch = document["paths"]["/api/v1/incidents/{incident_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IncidentRevision"}
    assert patch["description"] == "Roles: duty_officer, administrator"
    revision = document["components"]["schemas"]["IncidentRevision"]["properties"]
    assert set(revision) == {"severity", "place_name", "location", "description"}
    assert {"type": "string", "maxLength": 200} in revision["place_name"]["anyOf"]


def test_an_empty_revision_is_refused_in_words_that_name_no_field(client, officer):
    declared = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    response = client.patch(f"/api/v1/incidents/{declared['id']}", json={}, headers=officer)
    assert response.status_code == 422 and response.json["field"] == ""
    assert response.json["detail"].startswith("give at least one of severity")
