"""The timeline is hash-chained: altering, inserting or deleting an entry is detected, and so is
removing the newest entries, given a head kept outside the database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from coordination import verify_chain
from coordination.audit import Head, _entry_hash, check_kept_head, current_head
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


def test_an_inserted_entry_is_found(store, busy_timeline):
    """A forger makes room after entry 4 and slips in an entry correctly chained to it: the entry
    after it no longer follows it, and the forged one is named."""
    with store.transaction() as session:
        last = session.scalar(select(TimelineEntry.seq).order_by(TimelineEntry.seq.desc()).limit(1))
        for seq in range(last, 4, -1):
            session.execute(update(TimelineEntry).where(TimelineEntry.seq == seq).values(seq=seq + 1))
        fourth = session.scalar(select(TimelineEntry).where(TimelineEntry.seq == 4))
        at = fourth.at
        forged = TimelineEntry(seq=5, at=at, kind="note", actor="engine", summary="all units stood down", data={},
                               prev_hash=fourth.entry_hash,
                               entry_hash=_entry_hash(fourth.entry_hash, at, "note", "engine", None,
                                                      "all units stood down", {}))
        session.add(forged)
    with store.transaction() as session:
        broken = verify_chain(session)
        assert broken.seq == 5 and "inserted" in broken.reason


def test_removing_the_newest_entries_shows_against_a_head_kept_elsewhere(store, busy_timeline):
    with store.transaction() as session:
        kept = current_head(session)
        assert check_kept_head(session, kept) is None
        session.execute(delete(TimelineEntry).where(TimelineEntry.seq >= kept.seq - 1))
    with store.transaction() as session:
        assert verify_chain(session) is None  # a shorter chain is still a chain
        broken = check_kept_head(session, kept)
        assert broken.seq == kept.seq and "is gone" in broken.reason


def test_a_chain_rewritten_from_before_the_kept_head_shows_too(store, busy_timeline):
    with store.transaction() as session:
        kept = current_head(session)
    with store.transaction() as session:
        broken = check_kept_head(session, Head(kept.seq, "f" * 64))
        assert broken.seq == kept.seq and "rewritten" in broken.reason


def test_an_empty_timeline_has_no_head(store):
    with store.transaction() as session:
        assert current_head(session) is None
