"""`iccc tokens create|list|revoke`: a token issued with an expiry, listed with its last use, and
revoked by id or by its holder's name, after which the API refuses it."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from processes.cli import main
from web.app.config import Settings
from web.app.factory import create_app
from tests.web.conftest import LOOPBACK, bearer

TOKEN = re.compile(r"token ([0-9a-f-]{36}) for .*shown once: (iccc_\S+)")


@pytest.fixture
def database(tmp_path, _migrated_sqlite_template) -> str:
    path = tmp_path / "iccc.sqlite3"
    shutil.copyfile(_migrated_sqlite_template, path)
    return f"sqlite:///{path}"


def iccc(database: str, *args: str):
    return CliRunner().invoke(main, list(args), env={"ICCC_DATABASE_URL": database})


def create(database: str, *args: str) -> tuple[str, str, str]:
    result = iccc(database, "tokens", "create", *args)
    assert result.exit_code == 0, result.output
    token_id, token = TOKEN.search(result.stdout).groups()
    return token_id, token, result.stdout


def api_status(database: str, token: str) -> int:
    app = create_app(Settings(database_url=database, allowed_webhook_hosts=LOOPBACK, secret_key="test-key"))
    return app.test_client().get("/api/v1/incidents", headers=bearer(token)).status_code


def test_a_token_is_created_with_an_expiry_listed_and_revoked_by_id(database):
    token_id, token, said = create(database, "--name", "cad-gateway", "--role", "duty_officer", "--expires-in", "90d")
    expected_expiry = datetime.now(timezone.utc) + timedelta(days=90)
    assert f"expires {expected_expiry.date().isoformat()}" in said
    assert api_status(database, token) == 200
    listing = iccc(database, "tokens", "list")
    assert listing.exit_code == 0, listing.output
    header, row = listing.stdout.splitlines()
    assert header.split("\t") == ["id", "name", "role", "status", "created", "expires", "last used"]
    cells = row.split("\t")
    assert cells[:4] == [token_id, "cad-gateway", "duty_officer", "active"]
    assert cells[5].startswith(expected_expiry.date().isoformat()) and cells[6] != "never"  # used above
    assert token not in listing.stdout

    revoked = iccc(database, "tokens", "revoke", token_id)
    assert revoked.exit_code == 0 and revoked.stdout == f"revoked token {token_id} of cad-gateway (duty_officer)\n"
    assert api_status(database, token) == 401
    assert iccc(database, "tokens", "list").stdout.startswith("no active tokens")
    assert "\trevoked\t" in iccc(database, "tokens", "list", "--all").stdout
    again = iccc(database, "tokens", "revoke", token_id)
    assert again.exit_code == 1 and "was revoked at" in again.stderr


def test_a_token_is_revoked_by_its_holders_name_when_one_active_token_has_it(database):
    _id, token, _said = create(database, "--name", "met-office", "--role", "alert_source")
    assert iccc(database, "tokens", "revoke", "met-office").exit_code == 0
    assert api_status(database, token) == 401


def test_a_name_held_by_two_tokens_asks_for_an_id(database):
    first, _token, _ = create(database, "--name", "shared", "--role", "viewer")
    second, _token, _ = create(database, "--name", "shared", "--role", "viewer")
    result = iccc(database, "tokens", "revoke", "shared")
    assert result.exit_code == 1
    assert first in result.stderr and second in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("expiry, told", [("soon", "is not a duration"), ("0d", "longer than zero"),
                                          ("4000d", "at most ten years")])
def test_a_bad_expiry_is_refused_in_one_line(database, expiry, told):
    result = iccc(database, "tokens", "create", "--name", "x", "--role", "viewer", "--expires-in", expiry)
    assert result.exit_code in (1, 2) and told in result.stderr and "Traceback" not in result.output


def test_an_unknown_token_is_named(database):
    result = iccc(database, "tokens", "revoke", "nobody")
    assert result.exit_code == 1 and "no active API token has the id or name 'nobody'" in result.stderr
