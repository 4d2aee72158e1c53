"""A request that changes something (an API call or a console form: any method but GET, HEAD and
OPTIONS) runs transactions that take the writer lock as they begin, before they read, so it
decides on the state it changes (on PostgreSQL as on SQLite, whose transactions begin IMMEDIATE).
A read takes no lock and never waits for a writer."""

from __future__ import annotations

import sys

import pytest

from coordination.store import database
from tests.web.conftest import FIRE_REPORT
from tests.web.test_console import csrf_of, sign_in


@pytest.fixture
def locked_as_they_began(monkeypatch):
    """(transactions begun, of them those that took the writer lock as they began), counted from
    now. PostgreSQL's rule, checked on any database: the lock itself is a no-op on SQLite."""
    taken: list[str] = []
    begun: list[bool] = []
    real_lock, real_transaction = database.take_writer_lock, database.Store.transaction

    def recording(session):
        taken.append(sys._getframe(1).f_code.co_name)
        real_lock(session)

    def counting(self):
        begun.append(True)
        return real_transaction(self)

    monkeypatch.setattr(database, "take_writer_lock", recording)
    monkeypatch.setattr(database.Store, "transaction", counting)
    monkeypatch.setattr(database.Store, "is_postgresql", property(lambda self: True))
    return lambda: (len(begun), taken.count("transaction"))


def test_an_api_change_takes_the_writer_lock_as_its_transaction_begins(client, officer, store,
                                                                       locked_as_they_began):
    with store.transaction():
        pass  # outside any request: no lock at the start
    assert locked_as_they_began() == (1, 0)
    assert client.post("/api/v1/incidents", headers=officer, json=FIRE_REPORT).status_code == 201
    # The request's transaction, and the token's first use this minute recorded in one of its own:
    # both begin with the lock, as every transaction of a request that changes something does.
    assert locked_as_they_began() == (3, 2)


def test_a_console_form_takes_the_writer_lock_as_its_transactions_begin(client, make_token, locked_as_they_began):
    sign_in(client, make_token())
    page = client.get("/console/map").get_data(as_text=True)
    begun_before, locked_before = locked_as_they_began()
    response = client.post("/console/map/incidents", data={
        "csrf": csrf_of(page), "location": "12.97, 77.59", "type": "building_fire", "severity": "severe"})
    assert response.status_code == 302
    begun, locked = locked_as_they_began()
    assert locked - locked_before == begun - begun_before >= 2  # every one: finding the place, declaring...


def test_a_read_takes_no_lock(client, officer, locked_as_they_began):
    assert client.get("/api/v1/incidents", headers=officer).status_code == 200
    assert client.get("/api/v1/incidents", headers=officer).status_code == 200
    # Two reads, and the token's use recorded once for the minute (a conditional update of its
    # own row, which waits for nothing else): none begins with the writer lock.
    assert locked_as_they_began() == (3, 0)
