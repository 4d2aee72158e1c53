"""The incident page beyond the SOP: the dispatch recommendation with ETAs and reasons, accepted
as it is or with units swapped; each task's webhook delivery log; starting an SOP by hand."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from coordination import MAX_DELIVERY_ATTEMPTS, HttpSender, Role, deliver_due_messages
from coordination.store.tables import DispatchAssignment, ResponseUnit
from tests.web.conftest import FIRE_REPORT, LOOPBACK
from tests.web.test_console import csrf_of, sign_in
from web.console.dispatch_panel import still_needed

pytestmark = pytest.mark.database


def page_of(client, incident_id: str) -> str:
    return client.get(f"/console/incidents/{incident_id}").get_data(as_text=True)


def ask_for(client, incident_id: str, **fields):
    csrf = csrf_of(page_of(client, incident_id))
    return client.post(f"/console/incidents/{incident_id}/dispatch", data={"csrf": csrf, **fields})


def test_the_officer_asks_for_units_and_reads_each_eta_and_why(client, city, officer, make_token):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    assert "No proposed recommendation includes this incident." in page_of(client, incident["id"])
    asked = ask_for(client, incident["id"], unit_type="fire_engine", count="2")
    assert asked.status_code == 302 and asked.headers["Location"].endswith("#dispatch-heading")
    page = page_of(client, incident["id"])
    rows = re.findall(r'<tr class="plan-row" data-unit="([^"]+)">(.*?)</tr>', page, re.S)
    assert len(rows) == 2 and all(code.startswith("FS-") for code, _ in rows)
    for _code, row in rows:
        assert re.search(r"<td>\d+ min \d\d s</td>", row)
        assert "is the closest fire engine" in row or "is number" in row  # unit types in words
        assert "(recommended)</option>" in row and "ETA" in row  # the alternatives, with their ETAs
    assert "<li>2 fire engines: the recommendation below sends 2</li>" in page


@pytest.mark.parametrize("fields, field, message", [
    ({"unit_type": "", "count": "1"}, "dispatch-unit-type", "choose a unit type"),
    ({"unit_type": "spaceship", "count": "1"}, "dispatch-unit-type", "choose a unit type"),
    ({"unit_type": "ambulance", "count": "0"}, "dispatch-count", "a whole number from 1 to 20"),
    ({"unit_type": "ambulance", "count": "two"}, "dispatch-count", "a whole number from 1 to 20"),
])
def test_a_bad_request_for_units_is_explained_beside_the_field(client, city, officer, make_token, fields, field,
                                                                message):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    response = ask_for(client, incident["id"], **fields)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error" role="alert">{message}</p>' in response.get_data(as_text=True)


def test_the_officer_swaps_a_unit_before_accepting_and_the_chosen_one_goes(client, store, city, officer,
                                                                             make_token):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    ask_for(client, incident["id"], unit_type="ambulance", count="1")
    page = page_of(client, incident["id"])
    action = re.search(r'action="(/console/recommendations/[^"]+/accept)"', page).group(1)
    select_html = re.search(r'<select id="unit-0" name="unit-0">(.*?)</select>', page, re.S).group(1)
    recommended, alternative = re.findall(r'<option value="([0-9a-f-]{36})"', select_html)[:2]
    form = {"csrf": csrf_of(page), "incident_id": incident["id"], "slots": "1", "unit-0": alternative,
            "incident-0": incident["id"], "need-0": "ambulance", "note": "the nearer crew is at lunch",
            "action": "change"}
    accepted = client.post(action, data=form)
    assert accepted.status_code == 302
    with store.transaction() as session:
        [sent] = session.scalars(select(DispatchAssignment)).all()
        assert str(sent.unit_id) == alternative != recommended
        sent_code = session.get(ResponseUnit, sent.unit_id).code
    page = page_of(client, incident["id"])
    assert "Units sent" in page and f"{sent_code} (ambulance, ems-108) for ambulance: ETA" in page
    timeline = client.get(f"/api/v1/incidents/{incident['id']}/timeline", headers=officer).json["items"]
    decision = next(entry for entry in timeline if entry["kind"] == "dispatch.accepted")
    assert "the nearer crew is at lunch" in decision["summary"] or decision["data"].get("note")
    assert client.post(action, data={**form, "action": "accept"}).status_code == 302  # idempotent, as the API
    changed_again = client.post(action, data={**form, "unit-0": recommended})
    assert changed_again.status_code == 409
    assert "cannot go from accepted to accepted" in changed_again.get_data(as_text=True)


@pytest.mark.parametrize("slots", ["1000000000", "-1", "many"])
def test_a_changed_plan_with_slots_the_page_never_writes_is_refused_not_looped_over(client, city, officer,
                                                                                    make_token, slots):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    ask_for(client, incident["id"], unit_type="ambulance", count="1")
    page = page_of(client, incident["id"])
    action = re.search(r'action="(/console/recommendations/[^"]+/accept)"', page).group(1)
    response = client.post(action, data={"csrf": csrf_of(page), "incident_id": incident["id"], "slots": slots,
                                         "action": "change"})
    assert response.status_code == 422
    assert "the changed plan is not valid" in response.get_data(as_text=True)


def test_a_viewer_reads_the_plan_but_has_no_buttons(client, city, officer, make_token):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    client.post("/api/v1/dispatch/recommendations", headers=officer,
                json={"incident_id": incident["id"], "needs": {"ambulance": 1}})
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    page = page_of(client, incident["id"])
    assert 'class="plan-row"' in page and "Accept the recommendation" not in page
    assert "Ask for a recommendation" not in page and "Start an SOP by hand" not in page


def deliver(store, clock):
    return deliver_due_messages(store=store, clock=clock, sender=HttpSender(), rng=random.Random(1),
                                allowed_hosts=LOOPBACK)


def test_each_task_shows_its_webhook_attempts_and_dead_letters(client, store, clock, officer, make_token,
                                                               make_agency, receiver):
    make_agency("fire-central", "fire", receiver.url())
    make_agency("police-central", "police", receiver.url())
    receiver.fail_next = 1
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    deliver(store, clock)
    clock.advance(minutes=61)
    deliver(store, clock)
    sign_in(client, make_token())
    page = page_of(client, incident["id"])
    logs = dict(re.findall(r'<tr data-task="[^"]+"><td>([a-z-]+)</td>.*?<td>(.*?)</td></tr>', page, re.S))
    assert set(logs) == {"fire-central", "police-central"}
    failed_first = [log for log in logs.values() if "HTTP 503" in log]
    assert len(failed_first) == 1 and "delivered,\n            2 attempts" in failed_first[0]
    assert "HTTP 204" in failed_first[0]  # the receiver answers 204 No Content

    second = client.post("/api/v1/incidents", headers=officer,
                         json={**FIRE_REPORT, "location": {"type": "Point", "coordinates": [77.65, 12.99]}}).json
    receiver.fail_next = 2 * MAX_DELIVERY_ATTEMPTS
    for _ in range(MAX_DELIVERY_ATTEMPTS):
        deliver(store, clock)
        clock.advance(minutes=61)
    page = page_of(client, second["id"])
    assert page.count('<strong class="late">dead letter</strong>') == 2
    assert f"{MAX_DELIVERY_ATTEMPTS} attempts" in page and "iccc webhooks replay" in page


def test_an_sop_is_started_by_hand_from_the_page(client, city, officer, make_token):
    minor = client.post("/api/v1/incidents", headers=officer,
                        json={**FIRE_REPORT, "type": "road_accident", "severity": "minor"}).json
    sign_in(client, make_token())
    page = page_of(client, minor["id"])
    assert "Start an SOP by hand" in page and '<option value="road-accident">' in page
    wrong = client.post(f"/console/incidents/{minor['id']}/sops", data={"csrf": csrf_of(page), "sop_id": "nope"})
    assert wrong.status_code == 422
    assert re.search(r'id="start-sop-error" role="alert">no active SOP &#39;nope&#39;', wrong.get_data(as_text=True))
    started = client.post(f"/console/incidents/{minor['id']}/sops",
                          data={"csrf": csrf_of(page), "sop_id": "road-accident"})
    assert started.status_code == 302
    page = page_of(client, minor["id"])
    assert re.search(r"SOP: .+ <small>\(road-accident v\d+\)</small> — running", page) and "Start an SOP by hand" not in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY])
def test_viewers_and_agency_users_cannot_dispatch_or_start_sops(client, city, officer, make_token, make_agency, role):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    recommendation = client.post("/api/v1/dispatch/recommendations", headers=officer,
                                 json={"incident_id": incident["id"], "needs": {"ambulance": 1}}).json
    token = make_token(Role.VIEWER, "wall") if role is Role.VIEWER else make_agency("ndrf", "disaster_management")[1]
    sign_in(client, token)
    csrf = csrf_of(client.get("/console/sign-in").get_data(as_text=True))
    for url, form in [(f"/console/incidents/{incident['id']}/dispatch", {"unit_type": "ambulance", "count": "1"}),
                      (f"/console/recommendations/{recommendation['id']}/accept",
                       {"incident_id": incident["id"], "action": "accept"}),
                      (f"/console/incidents/{incident['id']}/sops", {"sop_id": "building-fire-major"})]:
        assert client.post(url, data={"csrf": csrf, **form}).status_code == 403, url
    assert client.get(f"/api/v1/dispatch/recommendations/{recommendation['id']}",
                      headers=officer).json["status"] == "proposed"


def test_still_needed_is_said_with_what_the_recommendation_under_it_sends():
    """Never "2 ambulances still needed" over a plan that sends one without saying so."""
    rows = [{"need": "ambulance"}, {"need": "fire_engine"}]
    assert still_needed({"ambulance": 2, "pump": 1, "fire_engine": 1}, rows, True) == [
        "2 ambulances: the recommendation below sends 1; no free unit for the other 1",
        "1 fire engine: the recommendation below sends 1",
        "1 pump: no free unit in the recommendation below"]
    assert still_needed({}, [{"need": "ladder"}], True) == [
        "1 ladder in the recommendation below, no longer needed (made before other units went): ask again"]
    assert still_needed({"ladder": 1}, [], False) == ["1 ladder: ask for a recommendation below"]


def test_the_unit_types_the_incidents_sop_and_type_use_are_offered_first(client, city, officer, make_token):
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    page = page_of(client, incident["id"])
    first = re.search(r'<optgroup label="Used by this incident\'s SOP and type">(.*?)</optgroup>', page, re.S)
    offered = re.findall(r'<option value="([a-z_]+)">', first.group(1))
    assert "fire_engine" in offered and "rescue_boat" not in offered
    assert page.index('<optgroup label="Used by') < page.index('<optgroup label="Every other unit type">')
