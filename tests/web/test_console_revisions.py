"""The incident page's Revise form: filled with the incident's current values, it records only
what the duty officer changed, shows a refused value beside its field, and is not offered to a
viewer or for a closed incident."""

from __future__ import annotations

import pytest

from coordination import Role
from tests.web.conftest import FIRE_REPORT
from tests.web.test_console import csrf_of, sign_in

pytestmark = pytest.mark.database


@pytest.fixture
def fire(client, officer, make_agency):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    return client.post("/api/v1/incidents", json={**FIRE_REPORT, "place_name": "MG Road"}, headers=officer).json


def revise_form(page: str, **changes) -> dict:
    """The form as the page fills it (the incident's current values), with `changes` typed in."""
    return {"csrf": csrf_of(page), "severity": "severe", "place_name": "MG Road",
            "description": FIRE_REPORT["description"], "longitude": "77.5946", "latitude": "12.9716", **changes}


def test_the_form_is_filled_with_the_incidents_current_values(client, make_token, fire):
    sign_in(client, make_token())
    page = client.get(f"/console/incidents/{fire['id']}").get_data(as_text=True)
    assert "Revise the incident" in page
    assert '<option value="severe" selected>' in page
    assert 'name="place_name" type="text" value="MG Road"' in page
    assert 'name="longitude" type="text" value="77.5946"' in page


def test_an_officer_raises_the_severity_and_moves_the_incident_from_the_page(client, officer, make_token, fire):
    sign_in(client, make_token())
    url = f"/console/incidents/{fire['id']}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/revise", data=revise_form(page, severity="extreme", longitude="77.5956",
                                                             place_name="Brigade Road"))
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    incident = client.get(f"/api/v1/incidents/{fire['id']}", headers=officer).json
    assert (incident["severity"], incident["place_name"]) == ("extreme", "Brigade Road")
    assert incident["location"]["coordinates"] == [77.5956, 12.9716]
    assert incident["description"] == FIRE_REPORT["description"]
    [entry] = [entry for entry in client.get(f"/api/v1/incidents/{fire['id']}/timeline", headers=officer
                                             ).json["items"] if entry["kind"] == "incident.revised"]
    assert set(entry["data"]["changes"]) == {"severity", "location", "place_name"}
    assert "revised: severity severe -&gt; extreme; moved 108 m" in client.get(url).get_data(as_text=True)


def test_a_refused_value_is_shown_beside_its_field_with_what_was_typed(client, officer, make_token, fire):
    sign_in(client, make_token())
    url = f"/console/incidents/{fire['id']}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/revise", data=revise_form(page, latitude="91", place_name="Brigade Road"))
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert 'id="revise-latitude-error"' in shown and "less than or equal to 90" in shown
    assert 'value="Brigade Road"' in shown  # what the officer typed is kept
    assert client.get(f"/api/v1/incidents/{fire['id']}", headers=officer).json["place_name"] == "MG Road"


def test_a_closed_incident_offers_no_revision_and_refuses_one(client, officer, make_token, fire):
    sign_in(client, make_token())
    url = f"/console/incidents/{fire['id']}"
    page = client.get(url).get_data(as_text=True)
    client.post(f"/api/v1/incidents/{fire['id']}/stand-down", json={"reason": "false alarm"}, headers=officer)
    assert "Revise the incident" not in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/revise", data=revise_form(page, severity="extreme"))
    assert response.status_code == 409
    assert 'id="revise-form-error"' in response.get_data(as_text=True)


def test_a_viewer_sees_no_revise_form_and_cannot_post_one(client, make_token, fire):
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    url = f"/console/incidents/{fire['id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Revise the incident" not in page
    assert client.post(f"{url}/revise", data=revise_form(page, severity="extreme")).status_code == 403
