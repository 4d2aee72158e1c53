"""The rules over HTTP: uploads validated with their lines (422), versions activated and retired
by administrators, and the rules' firings with their readings for those who watch the city."""

from __future__ import annotations

import pytest

from coordination.rule_service import evaluate_and_act
from tests.coordination.rule_service.sensing import observed

pytestmark = pytest.mark.database

RIVER = """\
id: river
version: 1
title: River over its mark
sensors: {kind: water_level, unit: m}
threshold: {above: 2.0, clear_at: 1.6}
declare: {incident_type: flood}
"""
YAML = {"Content-Type": "application/yaml"}


def test_an_administrator_uploads_activates_and_retires_a_rule(client, admin):
    created = client.post("/api/v1/rules", data=RIVER, headers={**admin, **YAML})
    assert created.status_code == 201 and created.json["status"] == "active"
    staged = client.post("/api/v1/rules?activate=false", data=RIVER.replace("version: 1", "version: 2"),
                         headers={**admin, **YAML})
    assert staged.json["status"] == "inactive"
    detail = client.get("/api/v1/rules/river/versions/2", headers=admin).json
    assert detail["summary"] == "threshold on water_level: a reading >= 2 m; clears at <= 1.6 m; then declare flood (moderate)"
    assert client.post("/api/v1/rules/river/versions/2/activate", headers=admin).json["status"] == "active"
    assert client.post("/api/v1/rules/river/versions/1/retire", headers=admin).json["status"] == "retired"
    assert client.post("/api/v1/rules/river/versions/1/activate", headers=admin).status_code == 409
    listed = client.get("/api/v1/rules", headers=admin).json
    assert [(item["id"], item["version"], item["status"]) for item in listed["items"]] == [
        ("river", 2, "active"), ("river", 1, "retired")]


def test_a_bad_rule_is_422_with_each_problem_at_its_line(client, admin):
    response = client.post("/api/v1/rules", data=RIVER.replace("clear_at: 1.6", "clear_at: 2.5"),
                           headers={**admin, **YAML})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["errors"] == [{"line": 5, "field": "threshold.clear_at",
                                        "message": "threshold.clear_at: must be below `above` (2): an episode "
                                                   "clears on the good side of the level that raised it"}]


def test_only_an_administrator_changes_rules_and_an_agency_reads_none(client, officer, make_agency):
    assert client.post("/api/v1/rules", data=RIVER, headers={**officer, **YAML}).status_code == 403
    assert client.get("/api/v1/rules", headers=officer).status_code == 200
    _id, token, _secret = make_agency("police-central", "police")
    assert client.get("/api/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get("/api/v1/rule-outcomes", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_the_firings_are_listed_with_their_readings_by_incident_and_by_sensor(client, admin, store, clock):
    client.post("/api/v1/rules", data=RIVER, headers={**admin, **YAML})
    reading = observed(clock, "river-7", 2.4)
    evaluate_and_act(store=store, clock=clock, readings=[reading])
    firings = client.get("/api/v1/rule-outcomes", headers=admin).json["items"]
    assert len(firings) == 1
    firing = firings[0]
    assert (firing["rule"], firing["kind"], firing["result"]) == ("river@v1", "raised", "declared")
    assert firing["evidence"] == [{"reading_id": reading.reading_id, "sensor_id": "river-7", "value": 2.4, "unit": "m",
                                   "observed_at": reading.observed_at.isoformat()}]
    by_incident = client.get(f"/api/v1/rule-outcomes?incident_id={firing['incident_id']}", headers=admin).json
    by_sensor = client.get("/api/v1/rule-outcomes?sensor_id=river-7", headers=admin).json
    other_sensor = client.get("/api/v1/rule-outcomes?sensor_id=river-8", headers=admin).json
    assert by_incident["total"] == by_sensor["total"] == 1 and other_sensor["total"] == 0
    incident = client.get(f"/api/v1/incidents/{firing['incident_id']}", headers=admin).json
    assert incident["type"] == "flood" and incident["declared_by"] == "alert_source:rule river@v1"
    assert client.get("/api/v1/rule-outcomes?incident_id=nope", headers=admin).status_code == 400
