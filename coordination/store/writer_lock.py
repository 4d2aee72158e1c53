"""On PostgreSQL, one writing transaction at a time, taken before its first write or row lock.

Every change is recorded on the hash-chained timeline, whose head must be read and extended under
a lock, so writers are serial in any case. What matters is *when* that lock is taken. Taken when a
transaction first records (as it once was), it came after row locks and after the dispatch
planner's own lock, and two transactions could each hold what the other waited for: declaring an
incident took the timeline then the planner's lock, while planning took them the other way round;
an acknowledgement locked its task then the timeline then the run, while a deadline locked the run
then the timeline. PostgreSQL broke such a cycle by failing one of the two requests.

So a transaction takes the writer lock before its first write, its first `SELECT ... FOR UPDATE`
and its first other advisory lock. A transaction never waits for it while holding another lock,
so writers cannot deadlock. Reads take nothing and are never blocked. SQLite gets the same
order from `BEGIN IMMEDIATE` (see `database.py`).

A request that changes something (an API call or a console form that is not a GET) goes one step
further, between `expect_writes()` and `stop_expecting_writes()`: its transactions take the lock
as they begin, before they read, so it decides on the state it changes, as every transaction does
on SQLite.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from coordination.store.transaction_memo import recall, remember

# The constant the timeline's lock always had, so that processes of the previous release, which
# take it only to record, still exclude and are excluded by this one during a rolling upgrade.
WRITER_LOCK_KEY = 7_283_001
_HELD = "writer_lock_held"
_WRITES_EXPECTED: ContextVar[bool] = ContextVar("iccc_writes_expected", default=False)


def expect_writes() -> Token:
    """From now until `stop_expecting_writes` (one request), transactions take the writer lock
    as they begin."""
    return _WRITES_EXPECTED.set(True)


def stop_expecting_writes(token: Token) -> None:
    _WRITES_EXPECTED.reset(token)


def writes_expected() -> bool:
    return _WRITES_EXPECTED.get()


def take_writer_lock(session: Session) -> None:
    """Wait for and take the writer lock for the rest of the session's transaction (PostgreSQL only).

    Cheap when already held: the transaction that took it is remembered, so the lock is asked
    for again only after a savepoint it was taken in has ended (a rolled-back savepoint gives
    its locks back).
    """
    if session.get_bind().dialect.name != "postgresql" or recall(session, _HELD, False):
        return
    session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
    remember(session, _HELD, True)


def take_before_writing(sessions: sessionmaker) -> None:
    """Make every session of `sessions` take the writer lock before it writes or locks a row."""

    @event.listens_for(sessions, "before_flush")
    def _before_flush(session: Session, _flush_context, _instances) -> None:
        take_writer_lock(session)

    @event.listens_for(sessions, "do_orm_execute")
    def _before_statement(state: ORMExecuteState) -> None:
        # `_for_update_arg` is how SQLAlchemy's own compilers tell a locking SELECT; there is no
        # public accessor for it.
        if state.is_insert or state.is_update or state.is_delete or (
                state.is_select and getattr(state.statement, "_for_update_arg", None) is not None):
            take_writer_lock(state.session)
