"""The device registry over the API: administrators register devices; every reader lists them;
an agency sees only its own; bad input is problem+json naming the field."""

from __future__ import annotations

import pytest

from tests.web.conftest import bearer

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
                                             confirmation_topic="bwssb/pumps/7/ack"), headers=admin)
    assert [item["id"] for item in client.get("/api/v1/devices", headers=officer).json["items"]] == \
        ["pump-7", "vms-silk-board"]
    pumps = client.get("/api/v1/devices?kind=drainage_pump", headers=officer).json["items"]
    assert [(item["id"], item["confirmation_topic"]) for item in pumps] == [("pump-7", "bwssb/pumps/7/ack")]
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
