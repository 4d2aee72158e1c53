"""Two transactions at once on PostgreSQL: another request on its own thread and connection,
and a look at pg_locks to see it wait."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from coordination import Store

WAIT_S = 20.0
"""Longer than any wait a test expects; a test that reaches it has failed."""


class OtherTransaction:
    """Another request on its own connection and thread: its steps, its backend, its outcome."""

    def __init__(self, store: Store, *steps: Callable[[Session], object]):
        self.pid: queue.Queue[int] = queue.Queue()
        self.error: BaseException | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(store, steps), daemon=True)
        self._thread.start()

    def _run(self, store: Store, steps) -> None:
        try:
            with store.transaction() as session:
                self.pid.put(session.scalar(text("SELECT pg_backend_pid()")))
                for step in steps:
                    step(session)
        except BaseException as error:  # reported by finish()
            self.error = error
        finally:
            self.done.set()

    def backend(self) -> int:
        return self.pid.get(timeout=WAIT_S)

    def finish(self) -> None:
        self._thread.join(WAIT_S)
        assert self.done.is_set(), "the other transaction never finished"
        if self.error is not None:
            raise self.error


def waits_for_a_lock(store: Store, pid: int) -> bool:
    """True once backend `pid` waits for an advisory lock; False if it never does in WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    with store.engine.connect() as observer:
        while time.monotonic() < deadline:
            if observer.scalar(text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"
                                    " AND locktype = 'advisory'"), {"pid": pid}):
                return True
            time.sleep(0.01)
    return False
