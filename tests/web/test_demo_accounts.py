"""The demo's console accounts: a restart keeps the passwords written down, unless rotated."""

from __future__ import annotations

from coordination import Role
from processes.demo import DEMO_ADMINISTRATOR, DEMO_USERNAME, demo_account, read_credentials, write_credentials


def account(store, clock, kept: str | None = None) -> str:
    with store.transaction() as session:
        return demo_account(session=session, clock=clock, username=DEMO_USERNAME, role=Role.DUTY_OFFICER,
                            display_name="Demo duty officer", kept_password=kept)


def test_a_restarted_demo_keeps_the_password_it_wrote_down(store, clock, tmp_path):
    first = account(store, clock)
    credentials = tmp_path / "demo-credentials.txt"
    write_credentials(credentials, url="http://127.0.0.1:8080/", duty_officer_token="t", agencies={},
                      username=DEMO_USERNAME, password=first, other_accounts={DEMO_ADMINISTRATOR: "admin-secret"})
    kept = read_credentials(credentials)
    assert kept == {DEMO_USERNAME: first, DEMO_ADMINISTRATOR: "admin-secret"}
    assert account(store, clock, kept[DEMO_USERNAME]) == first


def test_rotating_or_a_stale_password_gives_a_new_one(store, clock):
    first = account(store, clock)
    rotated = account(store, clock, kept=None)  # --rotate-passwords reads nothing back
    assert rotated != first
    # A password changed since (by an administrator) is not the one written down: a new one is
    # set and written, so the file never holds a password that does not work.
    assert account(store, clock, kept=first) not in (first, rotated)


def test_no_credentials_file_means_nothing_kept(tmp_path):
    assert read_credentials(tmp_path / "missing.txt") == {}
