"""The readings' HTTP doors: a SenML batch and an NGSI-LD notification, each with an integration
token, through the same validation as MQTT; what was refused is listed, kept as a dead letter and
shown to the officers; a batch with nothing to take is a 422 problem."""

from __future__ import annotations

import json

import pytest

from coordination import Role
from tests.coordination.intake.gauges import register_drains
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture
from tests.web.conftest import bearer

pytestmark = pytest.mark.database


@pytest.fixture
def feed(make_token):
    return bearer(make_token(Role.SENSOR_FEED, "fiware-orion"))


def test_a_senml_batch_is_taken_and_the_refused_readings_listed_and_kept(client, store, clock, shipped_rules,
                                                                         feed, officer):
    register_drains(store, clock, 3)
    pack = [{"bn": "drain-", "bu": "m", "n": "1", "v": 0.8}, {"n": "2", "v": 0.8}, {"n": "3", "v": 0.8},
            {"n": "9", "v": 0.1}]
    response = client.post("/api/v1/readings", data=json.dumps(pack), content_type="application/senml+json",
                           headers=feed)
    assert response.status_code == 200, response.json
    assert (response.json["stored"], response.json["repeated"]) == (3, 0)
    assert [item["problem"] for item in response.json["refused"]] == ["unknown_sensor"]
    incidents = client.get("/api/v1/incidents", headers=officer).json["items"]
    assert [item["type"] for item in incidents] == ["flood"]
    letters = client.get("/api/v1/intake/dead-letters", headers=officer).json["items"]
    assert [(item["problem"], item["source"], item["origin"]) for item in letters] == \
        [("unknown_sensor", "http", "fiware-orion")]
    readings = client.get("/api/v1/sensors/drain-1/readings", headers=officer).json["items"]
    assert [(item["value"], item["unit"], item["source"]) for item in readings] == [(0.8, "m", "http")]
    assert client.get("/api/v1/sensors/drain-1", headers=officer).json["latest"]["value"] == 0.8


def test_an_ngsi_ld_notification_is_taken(client, store, clock, shipped_rules, feed):
    register_drains(store, clock, 1)
    notification = {"id": "urn:ngsi-ld:Notification:7", "type": "Notification",
                    "data": [{"id": "urn:ngsi-ld:WaterLevelSensor:drain-1", "type": "WaterLevelSensor",
                              "waterLevel": {"type": "Property", "value": 0.4, "unitCode": "MTR"}}]}
    response = client.post("/api/v1/readings/ngsi-ld", json=notification, headers=feed)
    assert response.status_code == 200 and response.json["stored"] == 1
    again = client.post("/api/v1/readings/ngsi-ld", json=notification, headers=feed)
    assert again.json["stored"] + again.json["repeated"] == 1


def test_a_batch_with_nothing_to_take_is_a_problem_and_still_kept(client, store, clock, shipped_rules, feed,
                                                                 officer):
    response = client.post("/api/v1/readings", data=b"[{oops", content_type="application/senml+json", headers=feed)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["field"] == "body" and response.json["errors"][0]["problem"] == "malformed"
    assert client.get("/api/v1/intake/dead-letters?problem=malformed", headers=officer).json["total"] == 1


def test_only_integrations_and_administrators_post_readings(client, officer):
    response = client.post("/api/v1/readings", json=[], headers=officer)
    assert response.status_code == 403 and response.content_type == "application/problem+json"
