"""Every API call runs in one transaction; a call that changes something takes the writer lock
before its view reads anything, so it decides on the state it changes (on PostgreSQL as on
SQLite, whose transactions begin IMMEDIATE). A read takes no lock and never waits for a writer."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from web import context
from tests.web.conftest import FIRE_REPORT


@pytest.fixture
def before_the_lock(monkeypatch, store):
    """The statements the request had run when it took the writer lock (None: it never did)."""
    statements: list[str] = []
    taken: list[int] = []
    real = context.take_writer_lock

    def recording(session):
        taken.append(len(statements))
        real(session)

    monkeypatch.setattr(context, "take_writer_lock", recording)
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - before_cursor_execute's statement
    event.listen(store.engine, "before_cursor_execute", listener)
    yield lambda: statements[:taken[0]] if taken else None
    event.remove(store.engine, "before_cursor_execute", listener)


def test_a_change_takes_the_writer_lock_after_authenticating_and_before_its_view_reads(client, officer,
                                                                                      before_the_lock):
    response = client.post("/api/v1/incidents", headers=officer, json=FIRE_REPORT)
    assert response.status_code == 201
    earlier = before_the_lock()
    assert earlier and all(statement.startswith("BEGIN") or "FROM api_tokens" in " ".join(statement.split())
                           for statement in earlier), earlier


def test_a_read_takes_no_lock(client, officer, before_the_lock):
    assert client.get("/api/v1/incidents", headers=officer).status_code == 200
    assert before_the_lock() is None
