"""API tokens over the API (administrators): issued with an expiry, listed with role, creation,
expiry and last use, revoked; a revoked or expired token is refused with a 401 problem. A call
records its token's last use at most once a minute, so reads do not become writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from coordination import Role
from coordination.api_tokens import TOKEN_USE_RESOLUTION
from coordination.store.tables import TimelineEntry
from tests.web.conftest import bearer
from tests.web.test_console import sign_in

pytestmark = pytest.mark.database


def issue(client, admin, **body) -> dict:
    response = client.post("/api/v1/tokens", json={"name": "cad-gateway", "role": "duty_officer", **body},
                           headers=admin)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def listed(client, admin, **query) -> dict[str, dict]:
    response = client.get("/api/v1/tokens", query_string=query, headers=admin)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"]: item for item in response.get_json()["items"]}


def test_an_issued_token_works_and_is_listed_without_its_secret(client, admin, clock):
    issued = issue(client, admin, expires_in_days=30)
    assert issued["token"].startswith("iccc_")
    assert issued["expires_at"] == (clock.now() + timedelta(days=30)).isoformat()
    assert client.get("/api/v1/incidents", headers=bearer(issued["token"])).status_code == 200
    row = listed(client, admin)[issued["id"]]
    assert row == {"id": issued["id"], "name": "cad-gateway", "role": "duty_officer", "agency_code": None,
                   "status": "active", "created_at": clock.now().isoformat(),
                   "expires_at": (clock.now() + timedelta(days=30)).isoformat(),
                   "last_used_at": clock.now().isoformat(), "revoked_at": None}
    assert "token" not in row and issued["token"] not in str(listed(client, admin))


def test_a_revoked_token_is_refused_with_a_problem_from_that_moment(client, admin, store):
    issued = issue(client, admin)
    caller = bearer(issued["token"])
    assert client.get("/api/v1/incidents", headers=caller).status_code == 200
    revoked = client.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    refused = client.get("/api/v1/incidents", headers=caller)
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == "the token has been revoked"
    assert client.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=admin).status_code == 409
    with store.transaction() as session:
        kinds = [entry.kind for entry in session.scalars(select(TimelineEntry).where(
            TimelineEntry.kind.startswith("token.")).order_by(TimelineEntry.seq))]
    assert kinds == ["token.issued", "token.revoked"]
    assert listed(client, admin, active="true").get(issued["id"]) is None
    assert listed(client, admin)[issued["id"]]["status"] == "revoked"


def test_an_expired_token_is_refused_with_a_problem(client, admin, clock):
    issued = issue(client, admin, expires_in_days=1)
    clock.advance(minutes=24 * 60)
    refused = client.get("/api/v1/incidents", headers=bearer(issued["token"]))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == "the token has expired"
    assert listed(client, admin)[issued["id"]]["status"] == "expired"


def test_last_use_is_recorded_at_most_once_a_minute(client, admin, store, clock):
    """Twenty reads in one minute write the token's row once; a read a minute later writes it again."""
    issued = issue(client, admin)
    caller = bearer(issued["token"])
    writes = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _count(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    first_use = clock.now()
    for _ in range(20):
        assert client.get("/api/v1/incidents", headers=caller).status_code == 200
        clock.advance(seconds=2)
    assert len(writes) == 1
    assert listed(client, admin)[issued["id"]]["last_used_at"] == first_use.isoformat()
    clock.advance(seconds=TOKEN_USE_RESOLUTION.total_seconds())
    assert client.get("/api/v1/incidents", headers=caller).status_code == 200
    assert listed(client, admin)[issued["id"]]["last_used_at"] == clock.now().isoformat()
    event.remove(store.engine, "before_cursor_execute", _count)


def test_a_refused_call_still_counts_as_a_use(client, admin, clock):
    """A token used for what its role may not do was still used: a leaked token shows up."""
    issued = issue(client, admin, role="viewer")
    assert client.post("/api/v1/tokens", json={"name": "x", "role": "viewer"},
                       headers=bearer(issued["token"])).status_code == 403
    assert listed(client, admin)[issued["id"]]["last_used_at"] == clock.now().isoformat()


@pytest.mark.parametrize("body, field", [
    ({"name": "a", "role": "agency"}, "role"),
    ({"name": "a", "role": "duty_officer", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "", "role": "duty_officer"}, "name"),
    ({"name": "a", "role": "duty_officer", "token": "iccc_mine"}, "token"),
])
def test_a_bad_token_request_names_the_field(client, admin, body, field):
    response = client.post("/api/v1/tokens", json=body, headers=admin)
    assert response.status_code == 422 and response.get_json()["field"] == field


@pytest.mark.parametrize("role", [Role.DUTY_OFFICER, Role.VIEWER, Role.PLANNER, Role.ALERT_SOURCE])
def test_only_administrators_manage_tokens(client, make_token, role):
    caller = bearer(make_token(role, f"someone-{role.value}"))
    assert client.get("/api/v1/tokens", headers=caller).status_code == 403
    assert client.post("/api/v1/tokens", json={"name": "x", "role": "viewer"}, headers=caller).status_code == 403
    assert client.post("/api/v1/tokens/00000000-0000-4000-8000-000000000000/revoke",
                       headers=caller).status_code == 403


def test_revoking_an_unknown_token_is_404(client, admin):
    assert client.post("/api/v1/tokens/00000000-0000-4000-8000-000000000000/revoke", headers=admin
                       ).status_code == 404


def test_a_token_used_to_sign_in_to_the_console_and_browse_shows_its_last_use(app, admin, clock):
    """A leaked token used in a browser shows up in the token list as an API call would."""
    browser, lister = app.test_client(), app.test_client()
    issued = issue(lister, admin, role="viewer")
    signed_at = clock.now()
    assert sign_in(browser, issued["token"]).status_code == 302
    assert listed(lister, admin)[issued["id"]]["last_used_at"] == signed_at.isoformat()
    clock.advance(seconds=TOKEN_USE_RESOLUTION.total_seconds())
    assert browser.get("/").status_code == 200
    assert listed(lister, admin)[issued["id"]]["last_used_at"] == clock.now().isoformat()
