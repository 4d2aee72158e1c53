"""The timeline is hash-chained: altering, inserting or deleting an entry is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from coordination import verify_chain
from coordination.store.tables import TimelineEntry

pytestmark = pytest.mark.database


@pytest.fixture
def busy_timeline(store, make_agency, make_incident):
    make_agency("fire-central", "fire")
    make_incident()
    make_incident(type="gas_leak", severity="moderate")


def test_an_untouched_timeline_verifies(store, busy_timeline):
    with store.transaction() as session:
        assert verify_chain(session) is None
        assert session.scalar(select(TimelineEntry.prev_hash).order_by(TimelineEntry.seq).limit(1)) == "0" * 64


def test_an_altered_entry_is_found(store, busy_timeline):
    with store.transaction() as session:
        session.execute(update(TimelineEntry).where(TimelineEntry.seq == 7).values(summary="nothing happened"))
    with store.transaction() as session:
        assert verify_chain(session).seq == 7


def test_a_deleted_entry_is_found(store, busy_timeline):
    with store.transaction() as session:
        session.execute(delete(TimelineEntry).where(TimelineEntry.seq == 5))
    with store.transaction() as session:
        broken = verify_chain(session)
        assert broken.seq == 6 and "inserted or deleted" in broken.reason
