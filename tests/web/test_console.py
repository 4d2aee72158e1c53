"""The console's first pages: sign in with a token, then the live incident board."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client, token: str):
    page = client.get("/console/sign-in").get_data(as_text=True)
    return client.post("/console/sign-in", data={"token": token, "csrf": csrf_of(page)})


def test_the_board_needs_a_signed_in_operator(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/sign-in")
    assert client.get("/console/board.json").status_code == 401


def test_a_wrong_token_is_explained_beside_the_field(client):
    response = sign_in(client, "iccc_wrong")
    assert response.status_code == 401
    assert 'id="token-error"' in response.get_data(as_text=True)


def test_sign_in_without_the_form_token_is_refused(client, make_token):
    client.get("/console/sign-in")
    assert client.post("/console/sign-in", data={"token": make_token()}).status_code == 400


def test_the_board_lists_incidents_with_sop_progress_and_next_deadline(client, officer, make_token, make_agency):
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    assert sign_in(client, make_token()).status_code == 302
    assert "Incident board" in client.get("/").get_data(as_text=True)
    [row] = client.get("/console/board.json").json["incidents"]
    assert row["type"] == "building fire" and row["status"] == "open"
    assert row["sop"] == "building-fire v1 (running)"
    assert row["progress"] == "0/5"
    assert row["next_deadline_in_s"] == 60
    assert [task["agency"] for task in row["open_tasks"]] == ["fire-central"]


def test_the_board_shows_what_needs_the_duty_officer(client, officer, make_token, make_agency):
    """A task routed outside every jurisdiction raises an alert that the board lists."""
    make_agency("fire-north", "fire", jurisdiction={"type": "Polygon", "coordinates": [
        [[77.0, 13.5], [77.2, 13.5], [77.2, 13.7], [77.0, 13.7], [77.0, 13.5]]]})
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in(client, make_token())
    [alert] = client.get("/console/board.json").json["officer_alerts"]
    assert alert["kind"] == "routing.outside_jurisdictions" and "fire-north" in alert["summary"]
