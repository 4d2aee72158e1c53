"""Drill runs a planner started from the console: recorded when asked for, moved through one
lifecycle table as the background worker reports, kept with their KPIs or their error.

The worker reports at least every `HEARTBEAT` while a drill runs, so a run whose worker died
with its server (a restart, a crash) is recognisable and settled as failed rather than left
"running" for ever.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.errors import NotFound
from coordination.lifecycles import require_move
from coordination.store.tables import DrillRun


class DrillRunStatus(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        return self in (DrillRunStatus.DONE, DrillRunStatus.FAILED)


DRILL_RUN_MOVES = {
    DrillRunStatus.QUEUED: {DrillRunStatus.RUNNING, DrillRunStatus.FAILED},
    DrillRunStatus.RUNNING: {DrillRunStatus.DONE, DrillRunStatus.FAILED},
    DrillRunStatus.DONE: set(),
    DrillRunStatus.FAILED: set(),
}

HEARTBEAT = timedelta(seconds=10)
"""How often a worker touches a running drill's row, progress or not."""
STALLED_AFTER = timedelta(minutes=2)
"""Twelve missed heartbeats: the worker is gone, not slow (a busy 2-core machine stays under it)."""


@dataclass(frozen=True)
class DrillRequest:
    scenario_name: str
    scenario_source: str
    scenario_text: str
    seed: int
    replications: int
    duration_s: float
    engine: str
    policy: str


def record_drill_request(*, session: Session, clock: Clock, requested_by: str, request: DrillRequest) -> DrillRun:
    """Record a drill to run, queued for the worker."""
    now = clock.now()
    run = DrillRun(scenario_name=request.scenario_name, scenario_source=request.scenario_source,
                   scenario_text=request.scenario_text, seed=request.seed, replications=request.replications,
                   duration_s=request.duration_s, engine=request.engine, policy=request.policy,
                   status=DrillRunStatus.QUEUED.value, progress=0.0, error="", requested_by=requested_by,
                   requested_at=now, updated_at=now)
    session.add(run)
    session.flush()
    return run


def drill_run(*, session: Session, run_id: uuid.UUID) -> DrillRun:
    """One drill run. Raises `NotFound`."""
    run = session.get(DrillRun, run_id)
    if run is None:
        raise NotFound(f"no drill run {run_id}")
    return run


def recent_drill_runs(*, session: Session, clock: Clock, limit: int = 100) -> list[DrillRun]:
    """The newest drill runs first, stalled ones settled as failed on the way."""
    settle_stalled_runs(session=session, clock=clock)
    return list(session.scalars(select(DrillRun).order_by(DrillRun.requested_at.desc()).limit(limit)))


def _move(run: DrillRun, to: DrillRunStatus, now: datetime) -> None:
    require_move(f"drill run {run.id}", DrillRunStatus(run.status), to, DRILL_RUN_MOVES)
    run.status = to.value
    run.updated_at = now


def start_drill_run(*, session: Session, clock: Clock, run_id: uuid.UUID, report_dir: str) -> None:
    run = drill_run(session=session, run_id=run_id)
    _move(run, DrillRunStatus.RUNNING, clock.now())
    run.started_at = run.updated_at
    run.report_dir = report_dir


def report_drill_progress(*, session: Session, clock: Clock, run_id: uuid.UUID, progress: float) -> None:
    """Record progress (0 to 1) of a running drill; also its heartbeat. Never moves backwards."""
    session.execute(update(DrillRun).where(DrillRun.id == run_id, DrillRun.status == DrillRunStatus.RUNNING.value)
                    .values(progress=max(0.0, min(1.0, progress)), updated_at=clock.now()))


def touch_drill_runs(*, session: Session, clock: Clock, run_ids: list[uuid.UUID]) -> None:
    """The heartbeat of a worker's unfinished runs (queued ones too: they wait behind another)."""
    if run_ids:
        session.execute(update(DrillRun).where(
            DrillRun.id.in_(run_ids),
            DrillRun.status.in_([DrillRunStatus.QUEUED.value, DrillRunStatus.RUNNING.value]))
            .values(updated_at=clock.now()))


def finish_drill_run(*, session: Session, clock: Clock, run_id: uuid.UUID, kpis: dict[str, Any]) -> None:
    run = drill_run(session=session, run_id=run_id)
    _move(run, DrillRunStatus.DONE, clock.now())
    run.finished_at, run.progress, run.kpis = run.updated_at, 1.0, kpis


def fail_drill_run(*, session: Session, clock: Clock, run_id: uuid.UUID, error: str) -> None:
    run = drill_run(session=session, run_id=run_id)
    _move(run, DrillRunStatus.FAILED, clock.now())
    run.finished_at, run.error = run.updated_at, error


def settle_stalled_runs(*, session: Session, clock: Clock) -> int:
    """Fail every unfinished run no worker has touched for `STALLED_AFTER`; return how many."""
    now = clock.now()
    stalled = session.scalars(select(DrillRun).where(
        DrillRun.status.in_([DrillRunStatus.QUEUED.value, DrillRunStatus.RUNNING.value]),
        DrillRun.updated_at < now - STALLED_AFTER)).all()
    for run in stalled:
        fail_drill_run(session=session, clock=clock, run_id=run.id,
                       error="the drill stopped reporting: its server was stopped or restarted while it ran")
    return len(stalled)
