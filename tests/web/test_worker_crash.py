"""Deadlines survive `kill -9`: a worker killed mid-work loses nothing and repeats nothing,
on SQLite (one worker, restarted) and on PostgreSQL (two workers at once, one killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select

from coordination import SYSTEM, ManualClock, Store, declare_incident, verify_chain
from coordination.lifecycles import TimerStatus
from coordination.store.tables import SopRunEvent, Timer, TimelineEntry
from tests.conftest import incident_report

pytestmark = [pytest.mark.database, pytest.mark.slow]

INCIDENTS = 60


def start_worker(url: str, cwd) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    env.update(ICCC_DATABASE_URL=url, ICCC_SECRET_KEY="crash-test")
    return subprocess.Popen([sys.executable, "-m", "processes", "worker"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count_timers(store: Store, status: TimerStatus, due_by: datetime) -> int:
    # On a plain engine: the store's SQLite transactions begin IMMEDIATE, and a busy worker could
    # starve such a count until it had fired everything, so that the kill came after the work.
    # A plain read (WAL on SQLite, MVCC on PostgreSQL) never waits for the workers.
    reader = create_engine(store.url.render_as_string(hide_password=False))
    try:
        with reader.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Timer)
                                     .where(Timer.status == status, Timer.due_at <= due_by))
    finally:
        reader.dispose()


def wait_until(condition, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_worker_killed_mid_work_loses_no_deadline_and_fires_none_twice(store, make_agency, tmp_path):
    for code, kind in [("fire-central", "fire"), ("police-central", "police"), ("discom", "electricity")]:
        make_agency(code, kind)
    three_hours_ago = ManualClock(datetime.now(timezone.utc) - timedelta(hours=3))
    for _ in range(INCIDENTS):
        with store.transaction() as session:
            declare_incident(session=session, clock=three_hours_ago, report=incident_report(), actor=SYSTEM)
    now = datetime.now(timezone.utc)
    due = count_timers(store, TimerStatus.PENDING, now)
    assert due == INCIDENTS * 6  # acknowledgement and completion of three first tasks each

    url = store.url.render_as_string(hide_password=False)
    workers_at_once = 2 if store.engine.dialect.name == "postgresql" else 1
    workers = [start_worker(url, tmp_path) for _ in range(workers_at_once)]
    try:
        wait_until(lambda: count_timers(store, TimerStatus.FIRED, now) >= due // 10, timeout_s=60,
                   what="the workers to start firing")
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        fired_at_kill = count_timers(store, TimerStatus.FIRED, now)
        assert fired_at_kill < due, "the kill came after all the work: nothing was tested"
        workers.append(start_worker(url, tmp_path))  # the restart
        wait_until(lambda: count_timers(store, TimerStatus.PENDING, now) == 0, timeout_s=120,
                   what="every due deadline to fire")
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=30)

    assert count_timers(store, TimerStatus.FIRED, now) == due
    with store.transaction() as session:
        fed = Counter(
            (event.run_id, event.event["key"])
            for event in session.scalars(select(SopRunEvent))
            if event.event["type"] == "timer_fired"
        )
        missed = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "deadline.missed")).all()
        assert verify_chain(session) is None
    assert len(fed) == due and set(fed.values()) == {1}, "a deadline was fed to its run twice"
    per_deadline = Counter((entry.data["task_id"], entry.data["deadline"]) for entry in missed)
    assert len(per_deadline) == due and set(per_deadline.values()) == {1}
