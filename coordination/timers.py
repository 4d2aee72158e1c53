"""Firing due deadlines. A scheduler calls `fire_due_timers` about once a second.

Each timer is claimed by a conditional update (pending -> fired) in the same transaction as
the run's reaction to it, so it fires exactly once even with several workers, and a timer
that came due while the server was down fires as soon as it is back.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select, update

from coordination.clock import Clock
from coordination.lifecycles import TimerStatus
from coordination.runs import apply_event
from coordination.store.database import Store
from coordination.store.tables import Timer
from sop_engine import TimerFired

log = structlog.get_logger(__name__)

BATCH_SIZE = 200


def fire_due_timers(*, store: Store, clock: Clock, batch_size: int = BATCH_SIZE) -> int:
    """Fire every timer due by now; return how many this call fired."""
    now = clock.now()
    with store.transaction() as session:
        due = session.scalars(
            select(Timer.id)
            .where(Timer.status == TimerStatus.PENDING, Timer.due_at <= now)
            .order_by(Timer.due_at, Timer.id)
            .limit(batch_size)
        ).all()
    fired = 0
    for timer_id in due:
        try:
            fired += _fire(store=store, clock=clock, timer_id=timer_id)
        except Exception:  # one broken run must not stop every other deadline; it is retried next tick
            log.exception("timer.failed", timer_id=str(timer_id))
    return fired


def _fire(*, store: Store, clock: Clock, timer_id: uuid.UUID) -> int:
    with store.transaction() as session:
        claim = (
            update(Timer)
            .where(Timer.id == timer_id, Timer.status == TimerStatus.PENDING)
            .values(status=TimerStatus.FIRED, fired_at=clock.now())
        )
        if session.execute(claim).rowcount != 1:
            return 0  # another worker fired it, or the run cancelled it meanwhile
        timer = session.get(Timer, timer_id)
        assert timer is not None
        apply_event(session=session, clock=clock, run_id=timer.run_id, event=TimerFired(timer.key), actor="engine")
        return 1
