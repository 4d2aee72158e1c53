"""The console's first pages: sign in with a token, then the live incident board."""

from __future__ import annotations

import re

import pytest

from coordination import Role
from tests.coordination.test_duty import CHEMICAL_SOP, stand_in_for_the_shipped_sops
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
    assert row["open_tasks"] == [{"agency": "fire-central", "counts": {"queued": 1}}]  # per agency, counted


def test_the_board_filters_by_status_severity_type_and_exercise_and_searches_text(client, officer, make_token,
                                                                                 make_agency):
    make_agency("fire-central", "fire")
    fire = client.post("/api/v1/incidents", headers=officer, json={
        **FIRE_REPORT, "description": "Smoke from the 100% cotton mill_store"}).json
    client.post("/api/v1/incidents", headers=officer, json={
        **FIRE_REPORT, "type": "gas_leak", "severity": "moderate", "description": "Smell of gas", "is_exercise": True})
    elsewhere = {"type": "Point", "coordinates": [77.65, 13.02]}  # far enough not to be a duplicate report
    closed = client.post("/api/v1/incidents", headers=officer, json={
        **FIRE_REPORT, "location": elsewhere, "description": "Old one"}).json
    client.post(f"/api/v1/incidents/{closed['id']}/stand-down", json={"reason": "duplicate"}, headers=officer)
    sign_in(client, make_token())

    def shown(**filters) -> list[str]:
        return [row["description"] for row in client.get("/console/board.json", query_string=filters).json["incidents"]]

    assert sorted(shown()) == ["Smell of gas", "Smoke from the 100% cotton mill_store"], "open ones by default"
    assert "Old one" in shown(status="") and shown(status="closed") == ["Old one"]
    assert shown(severity="moderate") == ["Smell of gas"]
    assert shown(type="gas_leak") == ["Smell of gas"]
    assert shown(exercise="exercise") == ["Smell of gas"]
    assert shown(exercise="live") == ["Smoke from the 100% cotton mill_store"]
    assert shown(q="COTTON") == shown(q="100%") == shown(q="mill_store") == [fire["description"]]
    assert shown(q="10%") == [] and shown(q="mill%store") == [], "%, _ are matched literally"
    assert shown(q="gas leak") == ["Smell of gas"], "a type is found as it is written on the board"
    assert sorted(shown(severity="nonsense", type="volcano")) == sorted(shown()), "a stale bookmark still opens"


def test_the_place_name_is_shown_escaped_on_the_board_the_incident_page_and_the_agencys_tasks(
    app, client, officer, make_token, make_user, make_agency
):
    make_agency("fire-central", "fire")
    named = "<b>Silk Board</b> & \"junction\""
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "place_name": named}, headers=officer).json
    sign_in(client, make_token())
    [row] = client.get("/console/board.json").json["incidents"]
    assert (row["place_name"], row["coordinates"]) == (named, "12.97160, 77.59460")  # board.js sets them as text
    assert client.get("/console/board.json", query_string={"q": "silk board"}).json["incidents"]
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    escaped = "&lt;b&gt;Silk Board&lt;/b&gt; &amp; &#34;junction&#34;"
    assert f'<span class="place-name">{escaped}</span>\n  (12.97160, 77.59460)' in page and "<b>Silk" not in page
    fire_desk = app.test_client()
    sign_in_with_password(fire_desk, *make_user(Role.AGENCY, "firedesk", agency_code="fire-central"))
    assert f'where: <span class="place-name">{escaped}</span>' in fire_desk.get("/console/tasks").get_data(as_text=True)


def test_the_board_shows_what_needs_the_duty_officer(client, officer, make_token, make_agency):
    """A task routed outside every jurisdiction raises an alert that the board lists."""
    make_agency("fire-north", "fire", jurisdiction={"type": "Polygon", "coordinates": [
        [[77.0, 13.5], [77.2, 13.5], [77.2, 13.7], [77.0, 13.7], [77.0, 13.5]]]})
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in(client, make_token())
    [alert] = client.get("/console/board.json").json["officer_alerts"]
    assert alert["kind"] == "routing.outside_jurisdictions" and "fire-north" in alert["summary"]
    [incident] = client.get("/api/v1/incidents", headers=officer).json["items"]
    assert alert["href"] == f"/console/incidents/{incident['id']}"  # where to act on it


def test_the_incident_page_shows_each_steps_state_and_takes_a_decision_in_one_click(client, store, officer,
                                                                                   make_token, make_agency, admin):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, "Content-Type": "application/yaml"})
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "type": "chemical_accident"},
                           headers=officer).json
    sign_in(client, make_token())
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    assert 'class="step task critical state-active" id="step-contain"' in page
    assert 'data-step="close_false_alarm"' in page and "Is it a real spill?" in page
    [decision] = client.get("/api/v1/decisions?status=open", headers=officer).json["items"]
    response = client.post(f"/console/decisions/{decision['id']}",
                           data={"csrf": csrf_of(page), "choice": "spill", "note": "confirmed by fire"})
    assert response.status_code == 302
    answered = client.get(f"/api/v1/decisions/{decision['id']}", headers=officer).json
    assert (answered["answer"], answered["answered_by"], answered["note"]) == (
        "spill", "duty_officer:duty-officer", "confirmed by fire")
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    assert 'id="step-close_false_alarm"' in page and "state-skipped" in page


def test_a_wrong_decision_is_explained_beside_it(client, store, officer, make_token, make_agency, admin):
    make_agency("fire-central", "fire")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
    client.post("/api/v1/sops", data=CHEMICAL_SOP, headers={**admin, "Content-Type": "application/yaml"})
    incident = client.post("/api/v1/incidents", json={**FIRE_REPORT, "type": "chemical_accident"},
                           headers=officer).json
    sign_in(client, make_token())
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    [decision] = client.get("/api/v1/decisions?status=open", headers=officer).json["items"]
    response = client.post(f"/console/decisions/{decision['id']}", data={"csrf": csrf_of(page), "choice": "perhaps"})
    assert response.status_code == 422
    assert "&#39;perhaps&#39; is not an option" in response.get_data(as_text=True)
    refused = client.post(f"/console/decisions/{decision['id']}", data={"choice": "spill"})
    assert refused.status_code == 400  # no CSRF token


def test_standing_down_from_the_console_needs_a_reason_and_closes_the_incident(client, officer, make_token,
                                                                              make_agency):
    make_agency("fire-central", "fire")
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token())
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    url = f"/console/incidents/{incident['id']}/stand-down"
    empty = client.post(url, data={"csrf": csrf_of(page), "reason": " "})
    assert empty.status_code == 422 and 'id="stand-down-error"' in empty.get_data(as_text=True)
    assert client.post(url, data={"csrf": csrf_of(page), "reason": "false alarm"}).status_code == 302
    assert client.get(f"/api/v1/incidents/{incident['id']}", headers=officer).json["status"] == "closed"


def test_a_viewer_sees_the_incident_page_but_cannot_act(client, officer, make_token, make_agency):
    make_agency("fire-central", "fire")
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    page = client.get(f"/console/incidents/{incident['id']}").get_data(as_text=True)
    assert "Stand the SOP down" not in page
    response = client.post(f"/console/incidents/{incident['id']}/stand-down",
                           data={"csrf": csrf_of(page), "reason": "x"})
    assert response.status_code == 403


def sign_in_with_password(client, username: str, password: str):
    page = client.get("/console/sign-in").get_data(as_text=True)
    return client.post("/console/sign-in", data={"username": username, "password": password,
                                                  "csrf": csrf_of(page)})


def test_a_person_signs_in_with_a_password_and_out_again(client, make_user):
    username, password = make_user()
    response = sign_in_with_password(client, username, password)
    assert response.status_code == 302
    assert "asha (duty officer)" in client.get("/").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    client.post("/console/sign-out", data={"csrf": csrf_of(page)})
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_explained_beside_the_field_and_repeated_ones_are_slowed(client, make_user):
    username, _password = make_user()
    response = sign_in_with_password(client, username, "not the password")
    assert response.status_code == 401
    assert 'id="password-error"' in response.get_data(as_text=True)
    for _ in range(4):
        sign_in_with_password(client, username, "not the password")
    locked = sign_in_with_password(client, username, "not the password")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "too many failed sign-ins" in locked.get_data(as_text=True)


def test_an_agency_user_can_never_answer_another_agencys_task(client, officer, make_user, make_agency):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    police_task = next(task for task in incident["tasks"] if task["agency"]["code"] == "police-central")
    fire_task = next(task for task in incident["tasks"] if task["agency"]["code"] == "fire-central")
    sign_in_with_password(client, *make_user(Role.AGENCY, "firedesk", agency_code="fire-central"))
    assert client.get("/").headers["Location"].endswith("/console/tasks")
    page = client.get("/console/tasks").get_data(as_text=True)
    assert fire_task["id"] in page and police_task["id"] not in page
    assert client.post(f"/console/tasks/{police_task['id']}/acknowledge", data={"csrf": csrf_of(page)}).status_code == 404
    empty = client.post(f"/console/tasks/{fire_task['id']}/reject", data={"csrf": csrf_of(page), "reason": " "})
    assert empty.status_code == 422 and "give a reason" in empty.get_data(as_text=True)
    assert client.get("/console/board.json").status_code == 403


def test_the_integrity_page_lists_what_is_overdue(client, clock, officer, make_user, make_agency):
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in_with_password(client, *make_user())
    assert "Nothing is overdue" in client.get("/console/integrity").get_data(as_text=True)
    clock.advance(minutes=2)
    page = client.get("/console/integrity").get_data(as_text=True)
    assert "Missed deadlines (1)" in page and "fire-central, step fire_response" in page
    assert client.get("/api/v1/integrity", headers=officer).json["overdue_tasks"][0]["step_id"] == "fire_response"
