"""The database connection: SQLite (WAL, the embedded default) or PostgreSQL (psycopg 3).

Every write happens inside `Store.transaction()`: the state change, its timeline entries and
its outbox messages commit together or not at all. Writers are serial on both: SQLite's
`BEGIN IMMEDIATE`, PostgreSQL's writer lock taken before a transaction's first write
(`writer_lock.py`, which says why that order keeps writers from deadlocking).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from coordination.store.writer_lock import take_before_writing, take_writer_lock, writes_expected

SQLITE_BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another; longer than any transaction here


class Store:
    """One database: its engine and the transactions the services run in."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = make_url(url)
        self.engine = _create_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        if self.is_postgresql:
            take_before_writing(self._sessions)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a session in a transaction; commit if the block succeeds, roll back if it raises.

        In a request that changes something (between `expect_writes()` and
        `stop_expecting_writes()`), the transaction takes PostgreSQL's writer lock before it reads
        anything (SQLite's BEGIN IMMEDIATE always does).
        """
        with self._sessions() as session, session.begin():
            if self.is_postgresql and writes_expected():
                take_writer_lock(session)
            yield session

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str, *, echo: bool) -> Engine:
    # hide_parameters: a database error's message (which reaches the logs) leaves out the
    # statement's values, which can be password hashes, webhook secrets or token digests.
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)

    in_memory = parsed.database in (None, "", ":memory:")
    if in_memory:
        # One shared connection, so every thread (web, worker, scheduler) sees the same database.
        engine = create_engine(
            url, echo=echo, poolclass=StaticPool, connect_args={"check_same_thread": False}, hide_parameters=True
        )
    else:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Take over transaction control from pysqlite so that BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        # Writers take the lock at BEGIN, so two processes never both read then write
        # (which SQLite would otherwise allow, e.g. both reading a timer as pending).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
