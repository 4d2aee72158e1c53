"""Administrators' console, users and roles: create an account (argon2 hash), change a role,
disable and enable, reset a password; an administrator cannot disable their own account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import Role
from coordination.store.tables import TimelineEntry, User
from tests.web.console_session import csrf_of, sign_in_as

pytestmark = pytest.mark.database

PASSWORD = "a long enough initial password"


def sign_in(client, username: str, password: str):
    csrf = csrf_of(client.get("/console/sign-in").get_data(as_text=True))
    return client.post("/console/sign-in", data={"username": username, "password": password, "csrf": csrf})


def test_an_administrator_creates_an_agency_user_with_a_hashed_password(client, app, make_user, make_agency, store):
    agency_id, _, _ = make_agency("fire-central", "fire")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/users", data={
        "csrf": csrf, "username": "ravi", "display_name": "Ravi K", "role": "agency", "agency_code": "fire-central",
        "password": PASSWORD})
    assert response.status_code == 302
    with store.transaction() as session:
        user = session.scalar(select(User).where(User.username == "ravi"))
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert (user.role, user.agency_id) == (Role.AGENCY, agency_id)
        assert PASSWORD not in str([entry.data for entry in session.scalars(select(TimelineEntry))])
    assert "ravi can sign in now" in client.get("/console/admin/users").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, "ravi", PASSWORD).headers["Location"].endswith("/")


@pytest.mark.parametrize(("form", "field", "message", "status"), [
    ({"username": "Bad Name"}, "username", "pattern", 422),
    ({"password": "short"}, "password", "at least 12 characters", 422),
    ({"role": "agency"}, "agency_code", "belongs to an agency", 422),
    ({"role": "agency", "agency_code": "nobody"}, "agency_code", "no agency has the code", 422),
    ({"agency_code": "fire-central"}, "agency_code", "only agency users", 422),
    ({"username": "root-admin"}, "username", "is taken", 409),  # a conflict, as the API says
])
def test_each_refusal_is_named_beside_its_field(client, make_user, make_agency, form, field, message, status):
    make_agency("fire-central", "fire")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/users", data={
        "csrf": csrf, "username": "ravi", "role": "duty_officer", "password": PASSWORD, **form})
    assert response.status_code == status
    error = response.get_data(as_text=True).split(f'id="create-{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error


def test_a_role_change_takes_effect_on_the_next_request(client, app, make_user, make_agency):
    make_agency("fire-central", "fire")
    csrf = sign_in_as(client, make_user)
    make_user(Role.VIEWER, "meera")
    meera = app.test_client()
    sign_in(meera, "meera", "correct horse battery meera")
    assert meera.get("/").status_code == 200
    missing_agency = client.post("/console/admin/users/meera/role", data={"csrf": csrf, "role": "agency"})
    assert missing_agency.status_code == 422 and "belongs to an agency" in missing_agency.get_data(as_text=True)
    assert client.post("/console/admin/users/meera/role", data={
        "csrf": csrf, "role": "agency", "agency_code": "fire-central"}).status_code == 302
    assert meera.get("/").headers["Location"].endswith("/console/tasks")
    assert meera.get("/console/integrity").status_code == 403
    # The row still shows her agency; for a role other than agency it is not sent on.
    assert client.post("/console/admin/users/meera/role", data={
        "csrf": csrf, "role": "viewer", "agency_code": "fire-central"}).status_code == 302
    assert meera.get("/console/integrity").status_code == 200


def test_a_disabled_account_is_signed_out_and_cannot_sign_in_until_enabled(client, app, make_user):
    csrf = sign_in_as(client, make_user)
    make_user(Role.DUTY_OFFICER, "asha")
    asha = app.test_client()
    sign_in(asha, "asha", "correct horse battery asha")
    assert client.post("/console/admin/users/asha/disable", data={"csrf": csrf}).status_code == 302
    assert asha.get("/").headers["Location"].endswith("/console/sign-in")
    assert sign_in(asha, "asha", "correct horse battery asha").status_code == 401
    assert client.post("/console/admin/users/asha/enable", data={"csrf": csrf}).status_code == 302
    assert sign_in(asha, "asha", "correct horse battery asha").status_code == 302


def test_an_administrator_cannot_disable_or_re_role_themselves(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    page = client.get("/console/admin/users").get_data(as_text=True)
    assert "Disable root-admin" not in page
    refused = client.post("/console/admin/users/root-admin/disable", data={"csrf": csrf})
    assert refused.status_code == 409 and "cannot disable their own account" in refused.get_data(as_text=True)
    demoted = client.post("/console/admin/users/root-admin/role", data={"csrf": csrf, "role": "viewer"})
    assert demoted.status_code == 409
    with store.transaction() as session:
        me = session.scalar(select(User).where(User.username == "root-admin"))
        assert me.is_active and me.role is Role.ADMINISTRATOR


def test_a_password_is_reset(client, app, make_user):
    csrf = sign_in_as(client, make_user)
    make_user(Role.PLANNER, "lata")
    short = client.post("/console/admin/users/lata/password", data={"csrf": csrf, "password": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    assert client.post("/console/admin/users/lata/password", data={"csrf": csrf, "password": PASSWORD}
                       ).status_code == 302
    assert sign_in(app.test_client(), "lata", PASSWORD).status_code == 302


def test_unknown_users_and_actions_are_404(client, make_user):
    csrf = sign_in_as(client, make_user)
    assert client.post("/console/admin/users/nobody/disable", data={"csrf": csrf}).status_code == 404
    make_user(Role.VIEWER, "meera")
    assert client.post("/console/admin/users/meera/promote", data={"csrf": csrf}).status_code == 404
