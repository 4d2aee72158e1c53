"""Writers are serial, and take their one lock before any other, so that they cannot deadlock.

On PostgreSQL the writer lock is taken before a transaction's first write, locking read or
other advisory lock; SQLite's BEGIN IMMEDIATE serialises every transaction. The timeline's head
is remembered per transaction, so a savepoint that rolls back never leaves a head behind.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from coordination import SYSTEM, Role, audit
from coordination.dispatch_service.demands import serialise_dispatch
from coordination.duplicates import DuplicatePolicy, report_incident
from coordination.store.tables import TimelineEntry, User
from tests.concurrency import WAIT_S, OtherTransaction, waits_for_a_lock
from tests.conftest import incident_report


def _record(session: Session, clock, summary: str) -> TimelineEntry:
    return audit.record(session, at=clock.now(), kind="test.entry", actor="test", summary=summary)


def _new_user(session: Session, clock) -> None:
    session.add(User(id=uuid.uuid4(), username=f"u{uuid.uuid4().hex[:8]}", display_name="U", role=Role.VIEWER,
                     password_hash="x", is_active=True, created_at=clock.now(), password_changed_at=clock.now()))
    session.flush()


FIRST_WRITES: dict[str, Callable[[Session, object], object]] = {
    "an ORM insert, at its flush": _new_user,
    "an UPDATE statement": lambda session, clock: session.execute(
        update(User).where(User.username == "nobody").values(display_name="x")),
    "a SELECT ... FOR UPDATE": lambda session, clock: session.scalars(select(User).with_for_update(of=User)).all(),
    "a get for update": lambda session, clock: session.get(User, uuid.uuid4(), with_for_update={"of": User}),
    "a timeline entry": lambda session, clock: _record(session, clock, "second"),
    "the dispatch planner": lambda session, clock: serialise_dispatch(session),
    "the search for a duplicate report": lambda session, clock: report_incident(
        session=session, clock=clock, report=incident_report(), actor=SYSTEM, policy=DuplicatePolicy()),
}


@pytest.mark.parametrize("first_write", FIRST_WRITES.values(), ids=FIRST_WRITES.keys())
def test_a_first_write_waits_for_the_transaction_that_is_writing(postgres_store, clock, shipped_sops, first_write):
    with postgres_store.transaction() as writing:
        _record(writing, clock, "first")
        other = OtherTransaction(postgres_store, lambda session: first_write(session, clock))
        assert waits_for_a_lock(postgres_store, other.backend())
        assert not other.done.is_set()
    other.finish()
    with postgres_store.transaction() as session:
        assert audit.verify_chain(session) is None


def test_a_reader_is_never_kept_waiting_by_a_writer(postgres_store, clock):
    with postgres_store.transaction() as writing:
        _record(writing, clock, "first")
        reader = OtherTransaction(postgres_store, lambda session: session.scalars(select(User)).all(),
                        lambda session: session.scalar(select(TimelineEntry.seq)))
        reader.finish()


def test_planning_and_declaring_take_their_locks_in_one_order_so_both_finish(postgres_store, clock):
    # Once, recording took the timeline's lock and then a dispatch step the planner's; planning
    # took the planner's and then, to record, the timeline's. Interleaved, PostgreSQL found a
    # deadlock and failed one of them.
    planner_started = threading.Event()

    def plan_then_record(session: Session) -> None:
        serialise_dispatch(session)
        planner_started.set()
        _record(session, clock, "recommendation")

    with postgres_store.transaction() as declaring:
        _record(declaring, clock, "incident declared")
        planner = OtherTransaction(postgres_store, plan_then_record)
        pid = planner.backend()
        # Either the planner waits (the fix) or it gets its lock first and the deadlock follows.
        assert waits_for_a_lock(postgres_store, pid) or planner_started.wait(WAIT_S)
        serialise_dispatch(declaring)  # the SOP's dispatch step
        _record(declaring, clock, "dispatch step")
    planner.finish()
    assert not planner.error
    with postgres_store.transaction() as session:
        assert audit.verify_chain(session) is None
        assert session.scalar(select(text("count(*)")).select_from(TimelineEntry)) == 3


def test_an_entry_recorded_in_a_savepoint_that_rolled_back_is_not_the_next_ones_predecessor(store, clock):
    with store.transaction() as session:
        kept = _record(session, clock, "kept")
        savepoint = session.begin_nested()
        _record(session, clock, "rolled back")
        savepoint.rollback()
        after = _record(session, clock, "after")
        assert after.prev_hash == kept.entry_hash
    with store.transaction() as session:
        assert audit.verify_chain(session) is None


def test_the_writer_lock_is_taken_again_after_a_savepoint_it_was_taken_in_rolls_back(postgres_store, clock):
    with postgres_store.transaction() as session:
        savepoint = session.begin_nested()
        _new_user(session, clock)  # the transaction's first write: takes the lock inside the savepoint
        savepoint.rollback()  # ... which gives the lock back
        _new_user(session, clock)
        other = OtherTransaction(postgres_store, lambda other_session: _record(other_session, clock, "other"))
        assert waits_for_a_lock(postgres_store, other.backend())
    other.finish()
