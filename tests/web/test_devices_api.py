"""The device registry over the API: administrators register devices; every reader lists them;
an agency sees only its own; bad input is problem+json naming the field."""

from __future__ import annotations

import pytest

from tests.web.conftest import FIRE_REPORT, bearer

pytestmark = pytest.mark.database


def sign(device_id="vms-silk-board", **changes) -> dict:
    return {"id": device_id, "kind": "message_sign", "agency": "municipal-corp", "name": "Silk Board junction",
            "location": {"type": "Point", "coordinates": [77.62, 12.917]}, **changes}


def test_an_administrator_registers_a_device_and_readers_see_it_with_its_topics(client, city, admin, officer):
    response = client.post("/api/v1/devices", json=sign(), headers=admin)
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/devices/vms-silk-board")
    body = client.get("/api/v1/devices/vms-silk-board", headers=officer).json
    assert (body["kind"], body["agency"]["code"], body["location"]["coordinates"]) == \
        ("message_sign", "municipal-corp", [77.62, 12.917])
    assert (body["command_topic"], body["confirmation_topic"]) == \
        ("iccc/devices/vms-silk-board/command", "iccc/devices/vms-silk-board/confirm")
    client.post("/api/v1/devices", json=sign("pump-7", kind="drainage_pump", command_topic="bwssb/pumps/7/cmd",
                                             confirmation_topic="iccc/devices/bwssb-pump-7/confirm"), headers=admin)
    assert [item["id"] for item in client.get("/api/v1/devices", headers=officer).json["items"]] == \
        ["pump-7", "vms-silk-board"]
    pumps = client.get("/api/v1/devices?kind=drainage_pump", headers=officer).json["items"]
    assert [(item["id"], item["confirmation_topic"]) for item in pumps] == [("pump-7", "iccc/devices/bwssb-pump-7/confirm")]
    again = client.post("/api/v1/devices", json=sign(), headers=admin)
    assert again.status_code == 409 and again.content_type == "application/problem+json"


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "hologram"}, "kind"),
    ({"agency": "nobody"}, "agency"),
    ({"id": "vms/1"}, "id"),
    ({"confirmation_topic": "devices/#"}, "confirmation_topic"),
    ({"command_topic": "t/same", "confirmation_topic": "t/same"}, "confirmation_topic"),
    ({"location": {"type": "Point", "coordinates": [77.6, 95]}}, "location.coordinates.1"),
])
def test_a_bad_device_is_refused_naming_the_field(client, city, admin, changes, field):
    response = client.post("/api/v1/devices", json=sign(**changes), headers=admin)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["field"] == field


def test_an_agency_sees_only_its_own_devices(client, city, admin):
    client.post("/api/v1/devices", json=sign(), headers=admin)
    client.post("/api/v1/devices", json=sign("siren-1", kind="siren", agency="police-central"), headers=admin)
    token = client.post("/api/v1/agencies/police-central/token", headers=admin).json["api_token"]
    assert [item["id"] for item in client.get("/api/v1/devices", headers=bearer(token)).json["items"]] == ["siren-1"]
    missing = client.get("/api/v1/devices/vms-silk-board", headers=bearer(token))
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


def test_a_duty_officer_commands_the_devices_near_an_incident_and_lists_its_commands(client, city, admin, officer,
                                                                                      viewer):
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "location": {
        "type": "Point", "coordinates": [77.62, 12.917]}}, headers=officer).json["id"]
    client.post("/api/v1/devices", json=sign(), headers=admin)  # at the incident
    client.post("/api/v1/devices", json=sign("vms-far", location={"type": "Point", "coordinates": [77.7, 12.917]}),
                headers=admin)  # about 8.7 km east
    url = f"/api/v1/incidents/{incident}/device-commands"
    response = client.post(url, json={"kind": "message_sign", "within_m": 1000, "action": "display",
                                      "payload": {"text": "FIRE - AVOID HOSUR ROAD"}, "confirm_within_s": 120},
                           headers=officer)
    assert response.status_code == 201, response.json
    [command] = response.json["items"]
    assert (command["device_id"], command["status"], command["issued_by"], command["run_id"]) == \
        ("vms-silk-board", "queued", "duty_officer:night-officer", None)
    client.post(url, json={"device_ids": ["vms-far"], "action": "clear"}, headers=officer)
    listed = client.get(url, headers=viewer).json
    assert listed["total"] == 2 and {item["action"] for item in listed["items"]} == {"display", "clear"}
    for body, field in [({"kind": "siren", "within_m": 1000, "action": "sound"}, "kind"),
                        ({"device_ids": ["vms-gone"], "action": "display"}, "device_ids"),
                        ({"kind": "message_sign", "action": "display"}, "within_m"),
                        ({"action": "display"}, "device_ids"),
                        ({"device_ids": ["vms-far"], "action": "display", "payload": {"text": "x" * 5000}}, "payload")]:
        refused = client.post(url, json=body, headers=officer)
        assert (refused.status_code, refused.json["field"]) == (422, field), body
