"""The incident page's devices: the commands sent for the incident with each device's answer, and
the duty officer's form to command devices by id or by kind near the incident, which refuses what
it cannot send beside the field at fault and is not offered to a viewer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import Role
from coordination.devices import record_answer
from coordination.store.tables import DeviceCommand
from tests.web.conftest import FIRE_REPORT
from tests.web.test_console import csrf_of, sign_in

pytestmark = pytest.mark.database

FIRE_AT = FIRE_REPORT["location"]["coordinates"]


@pytest.fixture
def fire(client, officer, admin, make_agency):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    make_agency("traffic-police", "traffic", webhook_url="http://127.0.0.1:9/traffic")
    for device_id, east in (("vms-near", 0.002), ("vms-far", 0.2)):
        assert client.post("/api/v1/devices", headers=admin, json={
            "id": device_id, "kind": "message_sign", "agency": "traffic-police", "name": f"Sign {device_id}",
            "location": {"type": "Point", "coordinates": [FIRE_AT[0] + east, FIRE_AT[1]]}}).status_code == 201
    return client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json


def send(client, url: str, **fields):
    page = client.get(url).get_data(as_text=True)
    form = {"csrf": csrf_of(page), "device_ids": "", "kind": "message_sign", "within_m": "1000", "action": "display",
            "message": "", "confirm_within_min": "5", **fields}
    return client.post(f"{url}/device-commands", data=form)


def test_an_officer_commands_the_signs_near_the_incident_and_sees_each_answer(client, store, clock, make_token, fire):
    sign_in(client, make_token())
    url = f"/console/incidents/{fire['id']}"
    response = send(client, url, message="Fire ahead - use Residency Road")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}#devices-heading")
    page = client.get(url).get_data(as_text=True)
    assert "Command “display” queued for vms-near" in page  # the far sign, 20 km off, is not told
    assert "“Fire ahead - use Residency Road”" in page and "waiting to be sent" in page
    with store.transaction() as session:
        [command] = session.scalars(select(DeviceCommand)).all()
        assert (command.device_id, command.payload, command.run_id) == ("vms-near", {"text": "Fire ahead - use "
                                                                                     "Residency Road"}, None)
        record_answer(session, at=clock.now(), command_id=command.command_id, confirmed=False, reason="lamp fault")
    page = client.get(url).get_data(as_text=True)
    assert "<strong>failed</strong>" in page and "lamp fault" in page


def test_named_devices_are_commanded_wherever_they_are(client, store, make_token, fire):
    sign_in(client, make_token())
    url = f"/console/incidents/{fire['id']}"
    assert send(client, url, device_ids="vms-far, vms-near", action="clear").status_code == 302
    with store.transaction() as session:
        assert sorted(session.scalars(select(DeviceCommand.device_id))) == ["vms-far", "vms-near"]


@pytest.mark.parametrize("fields, status, shown_at, words", [
    ({"kind": "siren"}, 422, "device-command-kind", "no device registered: siren within 1000 m"),
    ({"device_ids": "vms-nowhere"}, 422, "device-command-devices", "no device registered: vms-nowhere"),
    ({"within_m": "lots"}, 422, "device-command-within", "within m"),
    ({"action": "Flash!"}, 422, "device-command-action", "action"),
    ({"confirm_within_min": "0"}, 422, "device-command-confirm", "confirm within s"),
])
def test_what_cannot_be_sent_is_refused_beside_its_field_and_nothing_is_queued(client, store, make_token, fire,
                                                                             fields, status, shown_at, words):
    sign_in(client, make_token())
    response = send(client, f"/console/incidents/{fire['id']}", **fields)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f'id="{shown_at}-error" role="alert">' in page and words in page
    with store.transaction() as session:
        assert session.scalars(select(DeviceCommand)).all() == []


def test_a_viewer_sees_the_commands_but_is_offered_no_form_and_may_not_post(client, make_token, fire):
    sign_in(client, make_token(Role.VIEWER, "viewer"))
    url = f"/console/incidents/{fire['id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Send the command" not in page
    assert client.post(f"{url}/device-commands", data={"csrf": csrf_of(page), "action": "display"}).status_code == 403


def test_neither_devices_nor_a_kind_is_refused_naming_what_to_give(client, store, make_token, fire):
    sign_in(client, make_token())
    response = send(client, f"/console/incidents/{fire['id']}", kind="")
    assert response.status_code == 422
    assert "name the devices, or give a kind and a distance" in response.get_data(as_text=True)


def test_a_command_no_device_confirmed_in_time_is_on_the_integrity_board(client, clock, make_token, fire):
    sign_in(client, make_token())
    assert send(client, f"/console/incidents/{fire['id']}", confirm_within_min="2").status_code == 302
    assert "Device commands not confirmed in time (0)" in client.get("/console/integrity").get_data(as_text=True)
    clock.advance(minutes=3)
    page = client.get("/console/integrity").get_data(as_text=True)
    assert "Device commands not confirmed in time (1)" in page
    assert f'/console/incidents/{fire["id"]}">vms-near</a> (message sign, traffic-police): display by' in page
    assert "<title>Integrity" in page and "<title>Integrity<section" not in page
