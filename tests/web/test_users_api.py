"""Console accounts over the API, for an integrator provisioning them from an identity system:
administrators only; the same rules and timeline entries as the console and `iccc users`; a
password goes in but never comes out, in a response, a log or the timeline."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from coordination import Role
from coordination.store.tables import TimelineEntry, User
from tests.web.conftest import bearer
from tests.web.console_session import csrf_of

pytestmark = pytest.mark.database

PASSWORD = "a long enough initial password"
NEW_PASSWORD = "another long enough password"


def sign_in(app, username: str, password: str) -> int:
    """Sign in to the console from a fresh browser; 302 signed in, 401 refused."""
    browser = app.test_client()
    csrf = csrf_of(browser.get("/console/sign-in").get_data(as_text=True))
    return browser.post("/console/sign-in", data={"username": username, "password": password, "csrf": csrf}
                        ).status_code


def timeline(store) -> list[tuple[str, str, str]]:
    with store.transaction() as session:
        return [(entry.kind, entry.actor, entry.summary)
                for entry in session.scalars(select(TimelineEntry).where(TimelineEntry.kind.startswith("user.")))]


@pytest.fixture
def make_account(client, admin):
    """Create an account through the API; returns the response."""

    def make(username: str = "ravi", role: str = "duty_officer", **fields):
        response = client.post("/api/v1/users", headers=admin,
                               json={"username": username, "role": role, "password": PASSWORD, **fields})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response

    return make


def test_an_administrator_creates_an_account_that_signs_in_with_its_password(app, client, admin, store):
    response = client.post("/api/v1/users", headers=admin, json={
        "username": "ravi", "display_name": "Ravi K", "role": "duty_officer", "password": PASSWORD})
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/users/ravi"
    assert response.json == client.get("/api/v1/users/ravi", headers=admin).json
    account = response.json
    assert {key: account[key] for key in ("username", "display_name", "role", "agency_code", "active")} == {
        "username": "ravi", "display_name": "Ravi K", "role": "duty_officer", "agency_code": None, "active": True}
    assert account["created_at"] == account["password_changed_at"] and account["last_sign_in_at"] is None
    assert "password" not in account and "password_hash" not in account
    assert timeline(store) == [("user.created", "administrator:admin", "console account ravi created (duty_officer)")]
    assert sign_in(app, "ravi", PASSWORD) == 302
    assert client.get("/api/v1/users/ravi", headers=admin).json["last_sign_in_at"] is not None


def test_the_display_name_defaults_to_the_username_as_in_the_cli_and_the_console(client, make_account):
    assert make_account("ravi").json["display_name"] == "ravi"
    assert make_account("meera", display_name="").json["display_name"] == "meera"


def test_an_agency_user_belongs_to_the_agency_named_by_its_code(client, make_account, make_agency):
    make_agency("fire-central", "fire")
    account = make_account("firedesk", role="agency", agency_code="fire-central").json
    assert (account["role"], account["agency_code"]) == ("agency", "fire-central")


def test_the_list_is_ordered_by_username_and_paged(client, admin, make_account):
    for username in ("meera", "asha", "ravi"):
        make_account(username)
    page = client.get("/api/v1/users?limit=2&offset=1", headers=admin).json
    assert [item["username"] for item in page["items"]] == ["meera", "ravi"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


def test_the_list_filters_by_role_agency_and_whether_the_account_may_sign_in(client, admin, make_account,
                                                                            make_agency):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    make_account("firedesk", role="agency", agency_code="fire-central")
    make_account("policedesk", role="agency", agency_code="police-central")
    make_account("meera", role="viewer")
    make_account("ravi")
    assert client.patch("/api/v1/users/ravi", headers=admin, json={"active": False}).status_code == 200

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/users?{query}", headers=admin)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["username"] for item in response.json["items"]]

    assert names("role=agency") == ["firedesk", "policedesk"]
    assert names("agency=fire-central") == ["firedesk"]
    assert names("active=false") == ["ravi"]
    assert names("active=true&role=viewer") == ["meera"]
    assert names("role=duty_officer&active=true") == []


def test_a_role_change_is_audited_and_an_agency_stays_with_an_agency_user(client, admin, make_account, make_agency,
                                                                         store):
    make_agency("fire-central", "fire")
    make_agency("police-north", "police")
    make_account("meera", role="viewer")
    moved = client.patch("/api/v1/users/meera", headers=admin, json={"role": "agency", "agency_code": "fire-central"})
    assert moved.status_code == 200
    assert (moved.json["role"], moved.json["agency_code"]) == ("agency", "fire-central")
    other_agency = client.patch("/api/v1/users/meera", headers=admin, json={"agency_code": "police-north"}).json
    assert (other_agency["role"], other_agency["agency_code"]) == ("agency", "police-north")
    same_agency = client.patch("/api/v1/users/meera", headers=admin, json={"role": "agency"}).json
    assert same_agency["agency_code"] == "police-north"
    back = client.patch("/api/v1/users/meera", headers=admin, json={"role": "duty_officer"}).json
    assert (back["role"], back["agency_code"]) == ("duty_officer", None)
    assert [entry for entry in timeline(store) if entry[0] == "user.role_changed"] == [
        ("user.role_changed", "administrator:admin", "role of meera: viewer -> agency (fire-central)"),
        ("user.role_changed", "administrator:admin", "role of meera: agency -> agency (police-north)"),
        ("user.role_changed", "administrator:admin", "role of meera: agency -> duty_officer"),
    ]


def test_a_disabled_account_cannot_sign_in_until_it_is_enabled_again(app, client, admin, make_account, store):
    make_account("asha")
    disabled = client.patch("/api/v1/users/asha", headers=admin, json={"active": False})
    assert disabled.status_code == 200 and disabled.json["active"] is False
    assert sign_in(app, "asha", PASSWORD) == 401
    assert client.patch("/api/v1/users/asha", headers=admin, json={"active": True}).json["active"] is True
    assert sign_in(app, "asha", PASSWORD) == 302
    assert [entry[:2] for entry in timeline(store)] == [
        ("user.created", "administrator:admin"), ("user.disabled", "administrator:admin"),
        ("user.enabled", "administrator:admin")]


def test_a_refused_change_changes_nothing(client, admin, make_account):
    make_account("meera", role="viewer")
    refused = client.patch("/api/v1/users/meera", headers=admin,
                           json={"active": False, "role": "agency", "agency_code": "nobody"})
    assert refused.status_code == 422 and refused.json["field"] == "agency_code"
    account = client.get("/api/v1/users/meera", headers=admin).json
    assert (account["role"], account["active"]) == ("viewer", True)


def test_a_new_password_works_and_the_old_one_no_longer_does(app, client, admin, make_account, store):
    make_account("lata")
    changed = client.put("/api/v1/users/lata/password", headers=admin, json={"password": NEW_PASSWORD})
    assert changed.status_code == 200 and changed.json["username"] == "lata"
    assert sign_in(app, "lata", PASSWORD) == 401
    assert sign_in(app, "lata", NEW_PASSWORD) == 302
    assert timeline(store)[-1] == ("user.password_changed", "administrator:admin", "password of lata changed")


# (case id, method, path, body, status, field named by the problem)
REFUSALS = [
    ("create-without-a-password", "POST", "/api/v1/users", {"username": "ravi", "role": "viewer"}, 422, "password"),
    ("create-with-a-short-password", "POST", "/api/v1/users",
     {"username": "ravi", "role": "viewer", "password": "short"}, 422, "password"),
    ("create-with-a-bad-username", "POST", "/api/v1/users",
     {"username": "Ravi K", "role": "viewer", "password": PASSWORD}, 422, "username"),
    ("create-with-an-unknown-role", "POST", "/api/v1/users",
     {"username": "ravi", "role": "mayor", "password": PASSWORD}, 422, "role"),
    ("create-agency-user-without-agency", "POST", "/api/v1/users",
     {"username": "ravi", "role": "agency", "password": PASSWORD}, 422, "agency_code"),
    ("create-with-an-unknown-agency", "POST", "/api/v1/users",
     {"username": "ravi", "role": "agency", "agency_code": "nobody", "password": PASSWORD}, 422, "agency_code"),
    ("create-officer-with-an-agency", "POST", "/api/v1/users",
     {"username": "ravi", "role": "viewer", "agency_code": "fire-central", "password": PASSWORD}, 422, "agency_code"),
    ("create-with-an-unknown-field", "POST", "/api/v1/users",
     {"username": "ravi", "role": "viewer", "password": PASSWORD, "email": "r@example.org"}, 422, "email"),
    ("create-a-taken-username", "POST", "/api/v1/users",
     {"username": "meera", "role": "viewer", "password": PASSWORD}, 409, None),
    ("read-unknown", "GET", "/api/v1/users/nobody", None, 404, None),
    ("change-unknown", "PATCH", "/api/v1/users/nobody", {"active": False}, 404, None),
    ("change-to-an-unknown-role", "PATCH", "/api/v1/users/meera", {"role": "mayor"}, 422, "role"),
    ("change-role-to-null", "PATCH", "/api/v1/users/meera", {"role": None}, 422, "role"),
    ("change-active-to-a-word", "PATCH", "/api/v1/users/meera", {"active": "maybe"}, 422, "active"),
    ("change-an-officer-agency", "PATCH", "/api/v1/users/meera", {"agency_code": "fire-central"}, 422, "agency_code"),
    ("change-with-an-unknown-field", "PATCH", "/api/v1/users/meera", {"username": "mira"}, 422, "username"),
    ("password-too-short", "PUT", "/api/v1/users/meera/password", {"password": "short"}, 422, "password"),
    ("password-missing", "PUT", "/api/v1/users/meera/password", {}, 422, "password"),
    ("password-too-long", "PUT", "/api/v1/users/meera/password", {"password": "x" * 1025}, 422, "password"),
    ("list-an-unknown-role", "GET", "/api/v1/users?role=mayor", None, 400, "role"),
    ("list-an-unknown-agency", "GET", "/api/v1/users?agency=navy", None, 400, "agency"),
    ("list-active-maybe", "GET", "/api/v1/users?active=maybe", None, 400, "active"),
    ("password-of-unknown", "PUT", "/api/v1/users/nobody/password", {"password": NEW_PASSWORD}, 404, None),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[case[0] for case in REFUSALS])
def test_each_refusal_is_a_problem_naming_the_field(client, admin, make_account, make_agency, case):
    _id, method, path, body, status, field = case
    make_agency("fire-central", "fire")
    make_account("meera", role="viewer")
    response = client.open(path, method=method, headers=admin, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert response.json.get("field") == field
    if status == 409:
        assert "is taken" in response.json["detail"]


ROUTES = [("GET", "/api/v1/users", None), ("GET", "/api/v1/users/meera", None),
          ("POST", "/api/v1/users", {"username": "ravi", "role": "administrator", "password": PASSWORD}),
          ("PATCH", "/api/v1/users/meera", {"role": "administrator"}),
          ("PUT", "/api/v1/users/meera/password", {"password": NEW_PASSWORD})]


@pytest.mark.parametrize("role", [role for role in Role if role is not Role.ADMINISTRATOR], ids=lambda role: role.value)
def test_only_administrators_see_or_manage_accounts(client, make_account, make_token, make_agency, store, role):
    make_account("meera", role="viewer")
    if role is Role.AGENCY:
        token = make_agency("fire-central", "fire")[1]
    else:
        token = make_token(role, f"caller-{role.value}")
    for method, path, body in ROUTES:
        response = client.open(path, method=method, headers=bearer(token), **({"json": body} if body else {}))
        assert response.status_code == 403, (method, path)
        assert response.content_type == "application/problem+json"
    with store.transaction() as session:
        meera = session.scalar(select(User).where(User.username == "meera"))
        assert meera.role is Role.VIEWER and session.scalar(select(User).where(User.username == "ravi")) is None


def test_a_password_is_never_in_a_response_a_log_or_the_timeline(client, admin, store, caplog):
    refused_password = "tooshort1"
    caplog.set_level(logging.DEBUG)
    with capture_logs() as structured:
        responses = [
            client.post("/api/v1/users", headers=admin, json={"username": "ravi", "role": "viewer",
                                                              "password": PASSWORD}),
            client.post("/api/v1/users", headers=admin, json={"username": "meera", "role": "viewer",
                                                              "password": refused_password}),
            client.post("/api/v1/users", headers=admin, json={"username": "ravi", "role": "viewer",
                                                              "password": NEW_PASSWORD}),
            client.put("/api/v1/users/ravi/password", headers=admin, json={"password": NEW_PASSWORD}),
            client.put("/api/v1/users/ravi/password", headers=admin, json={"password": refused_password}),
            client.put("/api/v1/users/nobody/password", headers=admin, json={"password": PASSWORD}),
            client.get("/api/v1/users", headers=admin),
        ]
    assert [response.status_code for response in responses] == [201, 422, 409, 200, 422, 404, 200]
    with store.transaction() as session:
        password_hash = session.scalar(select(User.password_hash).where(User.username == "ravi"))
        recorded = str([(entry.summary, entry.data) for entry in session.scalars(select(TimelineEntry))])
    said = [response.get_data(as_text=True) for response in responses] + [caplog.text, str(structured), recorded]
    for secret in (PASSWORD, NEW_PASSWORD, refused_password, password_hash, "$argon2"):
        assert not [text for text in said if secret in text], secret
