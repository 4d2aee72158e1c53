"""A person in the console who meets an error gets a page in the console's layout: their
navigation, a heading saying what kind of error, a sentence saying what happened and what to
do, and the way back to their home page, with the error's status code. The API, and the
console routes that a page's script reads, keep answering problem+json."""

from __future__ import annotations

import re
import uuid

import pytest
from structlog.testing import capture_logs

from coordination import Role
from tests.web.conftest import bearer
from tests.web.console_session import csrf_of, heading_of
from tests.web.test_console import sign_in
from web.console.error_pages import tell
from web.app.problems import Problem

pytestmark = pytest.mark.database

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"}
"""What a browser asks for when a person opens a page."""

SCRIPT = {"Accept": "*/*"}
"""What `fetch()` asks for unless told otherwise."""

NOWHERE = uuid.UUID(int=1)


def navigation_of(page: str) -> list[str]:
    found = re.search(r'<nav aria-label="Console">(.*?)</nav>', page, re.DOTALL)
    return re.findall(r">([^<]+)</a>", found.group(1)) if found else []


def test_a_duty_officer_on_an_administrators_page_is_told_who_may_open_it(client, make_token):
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    response = client.get("/console/admin/users", headers=BROWSER)
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert heading_of(page) == "Not allowed"
    assert "<title>Not allowed · Coordination engine</title>" in page
    assert "This page is for administrators; you are signed in as duty-officer (duty officer)." in page
    assert navigation_of(page) == ["Board", "Map", "Integrity", "CAP alerts", "Sensors", "KPIs"], "the officer's own pages, not Users"
    assert '<a href="/">Back to your home page (Board)</a>' in page
    assert "Sign out" in page


def test_an_agency_user_is_sent_back_to_their_tasks(client, make_agency):
    _id, token, _secret = make_agency("fire-central", "fire")
    sign_in(client, token)
    page = client.get("/console/map").get_data(as_text=True)
    assert "This page is for administrators, duty officers and viewers; you are signed in as fire-central (agency)." \
        in page
    assert navigation_of(page) == ["Tasks"]
    assert '<a href="/console/tasks">Back to your home page (Tasks)</a>' in page


def test_a_form_another_role_may_not_send_is_refused_as_a_form(client, make_token):
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    csrf = csrf_of(client.get("/").get_data(as_text=True))
    response = client.post(f"/console/incidents/{NOWHERE}/stand-down", data={"csrf": csrf, "reason": "x"})
    assert response.status_code == 403
    assert ("This form is for administrators and duty officers; you are signed in as wall-screen (viewer)."
            in response.get_data(as_text=True))


def test_a_role_with_no_console_pages_is_told_so_and_can_sign_out(client, make_token):
    sign_in(client, make_token(Role.ALERT_SOURCE, "met-office"))
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and heading_of(page) == "Not allowed"
    assert "Your role has no console pages" in page and "Sign out" in page


def test_nobody_signed_in_is_still_sent_to_sign_in(client):
    for path in ("/", "/console/admin/users", f"/console/incidents/{NOWHERE}"):
        response = client.get(path, headers=BROWSER)
        assert response.status_code == 302 and response.headers["Location"].endswith("/console/sign-in"), path


def test_a_console_address_that_does_not_exist_is_a_not_found_page(client, make_token):
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    response = client.get("/console/no-such-page", headers=BROWSER)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert heading_of(page) == "Not found"
    assert "There is nothing at this address" in page
    assert navigation_of(page) == ["Board", "Map", "Integrity", "CAP alerts", "Sensors", "KPIs"]
    assert '<a href="/">Back to your home page (Board)</a>' in page


def test_an_unknown_console_address_asked_for_by_a_script_is_problem_json(client, make_token):
    """Content negotiation breaks the tie for an address no route matches: JSON first."""
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    for headers in (SCRIPT, {"Accept": "application/json"}, {}):
        response = client.get("/console/no-such-page", headers=headers)
        assert response.status_code == 404 and response.content_type == "application/problem+json", headers


def test_nobody_signed_in_at_an_unknown_address_is_offered_the_sign_in_page(client):
    response = client.get("/console/no-such-page", headers=BROWSER)
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and heading_of(page) == "Not found"
    assert navigation_of(page) == [] and "Sign out" not in page
    assert '<a href="/console/sign-in">Sign in</a>' in page


def test_a_mistyped_address_outside_the_console_is_a_page_to_a_browser_and_problem_json_to_a_script(client):
    for path in ("/consol", "/incidents", "/console-board"):
        page = client.get(path, headers=BROWSER)
        assert page.status_code == 404 and heading_of(page.get_data(as_text=True)) == "Not found", path
        for headers in (SCRIPT, {}):
            response = client.get(path, headers=headers)
            assert response.status_code == 404 and response.content_type == "application/problem+json", path
    assert client.get("/api/nothing", headers=BROWSER).content_type == "application/problem+json"


def test_a_record_that_does_not_exist_is_a_not_found_page_whatever_the_browser_asks_for(client, make_token):
    """A console route answers with a page, decided by the route rather than the Accept header."""
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    for headers in (BROWSER, SCRIPT, {}):
        response = client.get(f"/console/incidents/{NOWHERE}", headers=headers)
        assert response.status_code == 404 and heading_of(response.get_data(as_text=True)) == "Not found", headers


def test_opening_a_form_address_as_a_page_is_a_405_page(client, make_token):
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    response = client.get("/console/sign-out", headers=BROWSER)
    page = response.get_data(as_text=True)
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]
    assert heading_of(page) == "Not available this way"
    assert "This address is where a console form is sent: it cannot be opened as a page." in page
    assert navigation_of(page) == ["Board", "Map", "Integrity", "CAP alerts", "Sensors", "KPIs"]


def test_a_form_sent_after_its_session_ended_is_a_page_saying_to_reload(client, make_token):
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    response = client.post(f"/console/incidents/{NOWHERE}/stand-down",
                           data={"csrf": "from-a-tab-opened-before-signing-in-again", "reason": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert heading_of(page) == "Form expired"
    assert "This form was opened before your current session began, so it was not sent." in page
    assert "Reload the page to get a fresh form, then send it again." in page
    assert navigation_of(page) == ["Board", "Map", "Integrity", "CAP alerts", "Sensors", "KPIs"]


def test_a_sign_in_form_without_its_token_is_a_form_expired_page(client, make_token):
    client.get("/console/sign-in")
    response = client.post("/console/sign-in", data={"token": make_token()})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and heading_of(page) == "Form expired"
    assert '<a href="/console/sign-in">Sign in</a>' in page


def test_a_form_too_large_for_the_engine_is_a_page(client, make_token):
    sign_in(client, make_token(Role.ADMINISTRATOR, "admin"))
    csrf = csrf_of(client.get("/console/admin/sops").get_data(as_text=True))
    response = client.post("/console/admin/sops", data={"csrf": csrf, "text": "x" * (2 * 1024 * 1024)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and heading_of(page) == "Too large"
    assert "larger than the engine accepts (1 MB at most)" in page


def test_an_unexpected_error_is_a_page_with_the_logged_reference_and_nothing_internal(app, client, make_token):
    def broken_page():
        raise RuntimeError("password=hunter2 at /srv/iccc/secret.py line 7")

    app.add_url_rule("/console/broken", "broken_page", broken_page)  # a page with a bug in it
    sign_in(client, make_token(Role.DUTY_OFFICER, "duty-officer"))
    with capture_logs() as logs:
        response = client.get("/console/broken", headers=BROWSER)
    page = response.get_data(as_text=True)
    [logged] = [entry for entry in logs if entry["event"] == "unhandled_error"]
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert heading_of(page) == "Something went wrong"
    assert f'<code id="error-reference">{logged["reference"]}</code>' in page
    assert navigation_of(page) == ["Board", "Map", "Integrity", "CAP alerts", "Sensors", "KPIs"]
    for internal in ("RuntimeError", "hunter2", "secret.py", "Traceback"):
        assert internal not in page


@pytest.mark.parametrize("method, path, caller, status, body", [
    ("GET", "/api/v1/nothing-here", "officer", 404,
     {"type": "/problems/not-found", "title": "Not Found", "status": 404,
      "detail": "no such resource"}),
    ("DELETE", "/api/v1/incidents", "officer", 405,
     {"type": "/problems/method-not-allowed", "title": "Method Not Allowed", "status": 405,
      "detail": "this method is not allowed here"}),
    ("GET", "/api/v1/incidents", None, 401,
     {"type": "/problems/unauthenticated", "title": "Unauthenticated", "status": 401,
      "detail": "send an API token as `Authorization: Bearer <token>`"}),
    ("POST", "/api/v1/incidents", "viewer", 403,
     {"type": "/problems/forbidden", "title": "Forbidden", "status": 403,
      "detail": "the viewer role may not do this"}),
    ("GET", f"/api/v1/incidents/{NOWHERE}", "officer", 404,
     {"type": "/problems/not-found", "title": "Not found", "status": 404,
      "detail": f"incident {NOWHERE} does not exist"}),
])
def test_the_api_answers_problem_json_even_to_a_browser(client, make_token, method, path, caller, status, body):
    headers = {**BROWSER, **(bearer(make_token(Role.VIEWER if caller == "viewer" else Role.DUTY_OFFICER))
                             if caller else {})}
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json == body


def test_the_routes_a_pages_script_reads_keep_answering_problem_json(client, make_token, make_agency):
    """The board and the map reload into the sign-in page on 401; the map shows `detail` beside
    the place field."""
    assert client.get("/console/board.json", headers=SCRIPT).content_type == "application/problem+json"
    _id, token, _secret = make_agency("fire-central", "fire")
    sign_in(client, token)
    refused = client.get("/console/map/live.json", headers=BROWSER)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert refused.json["detail"] == ("this page is for administrators, duty officers and viewers; "
                                      "you are signed in as fire-central (agency)")
    officer = client.application.test_client()
    sign_in(officer, make_token(Role.DUTY_OFFICER, "duty-officer"))
    unknown_place = officer.get("/console/map/places?q=atlantis", headers=SCRIPT)
    assert unknown_place.status_code == 422 and unknown_place.json["field"] == "q"


def test_a_conflict_or_a_refused_value_is_told_in_the_engines_own_words():
    conflict = tell(Problem(409, "conflict", "Conflict", "task 7 cannot go from completed to acknowledged"))
    assert conflict.heading == "Could not be done"
    assert conflict.what == "Task 7 cannot go from completed to acknowledged."
    refused = tell(Problem(422, "invalid-input", "Invalid input", "name: at most 120 characters"))
    assert (refused.heading, refused.what) == ("Not accepted", "Name: at most 120 characters.")
