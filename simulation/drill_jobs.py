"""Drills started from the console, run in the background: one at a time, each in a child process.

A drill is CPU-bound for seconds to hours. In a child process it neither holds the server's
interpreter lock (the duty officers' pages stay quick) nor takes the server down if it fails;
the child is forked from a clean, single-threaded process (`forkserver`), never from a server
full of threads and open connections. A thread here follows each child: it records progress on the run's row (which
any web process can read, so the console polls the database, not this process), the KPIs when
the drill is done, or the error that stopped it. While it holds runs, it touches their rows
every `HEARTBEAT`, so a run whose server died is recognised as such (`settle_stalled_runs`).
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import structlog

from coordination import Clock, Store
from coordination.dispatch_service import RoadMap
from coordination.drill_runs import (
    HEARTBEAT,
    fail_drill_run,
    finish_drill_run,
    report_drill_progress,
    start_drill_run,
    touch_drill_runs,
)
from coordination.performance import rows_to_json
from simulation import (
    centre_kpis,
    replication_kpis,
    run_drill_with_progress,
    scenario_from_text,
    sop_files,
    summarise,
    write_report,
)
from simulation.city import build_city
from sop_engine import SopDefinitionError

log = structlog.get_logger(__name__)

CHILDREN = multiprocessing.get_context("forkserver")
CHILDREN.set_forkserver_preload(["simulation.drill_jobs"])
"""Drill processes fork from a single-threaded server process that imported the drill code once
(seconds: SciPy, OR-Tools, matplotlib), never from this multi-threaded one."""
PROGRESS_STEP = 0.01
"""The child reports each whole percent, not every tick."""
MIN_WRITE_INTERVAL_S = 0.25
"""Progress rows are written at most four times a second: the bar polls twice a second."""


@dataclass(frozen=True)
class DrillJob:
    run_id: uuid.UUID
    scenario_text: str
    source: str
    """The name `file:line` messages carry."""
    base_dir: str
    """Where the scenario's relative paths (SOP folder, GraphML) are read from."""
    overrides: dict


def run_drill_job(job: DrillJob, report_dir: str, messages) -> None:
    """The child process: run the drill, write its report, send progress and the outcome."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # every services replication migrates in memory
    try:
        scenario = scenario_from_text(job.scenario_text, source=job.source, base_dir=job.base_dir)
        scenario = scenario.model_copy(update=job.overrides)
        if scenario.sops != "shipped":
            sop_files(scenario)
        last = [-1.0]

        def progress(share: float) -> None:
            if share - last[0] >= PROGRESS_STEP or share >= 1.0:
                last[0] = share
                messages.put(("progress", share))

        records = run_drill_with_progress(scenario, on_progress=progress)
        per_replication = [{name: value for name, value in replication_kpis(r).items() if math.isfinite(value)}
                           for r in records]
        city = build_city(scenario)
        write_report(folder=Path(report_dir), scenario=scenario, records=records, summaries=summarise(per_replication),
                     stations=[(s.station_id, s.lon, s.lat) for s in city.stations],
                        streets=RoadMap.of(city.network))
        centre = [row for row in rows_to_json(centre_kpis(records, start=scenario.start)) if math.isfinite(row["value"])]
        messages.put(("done", {"replications": per_replication, "centre": centre}))
    except SopDefinitionError as error:
        messages.put(("failed", "\n".join(str(problem) for problem in error.problems)))
    except Exception as error:  # any failure is the run's outcome, shown to the planner, not a crash
        messages.put(("failed", f"{type(error).__name__}: {error}"))


class DrillWorker:
    """Runs submitted drills one after another; see the module's docstring."""

    def __init__(self, *, store: Store, clock: Clock, reports_dir: Path):
        self._store, self._clock, self._reports_dir = store, clock, reports_dir
        self._jobs: queue.Queue[DrillJob] = queue.Queue()
        self._held: set[uuid.UUID] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._child = None

    @property
    def waiting(self) -> int:
        """Drills held: the one running and those queued behind it."""
        with self._lock:
            return len(self._held)

    def submit(self, job: DrillJob) -> None:
        with self._lock:
            self._held.add(job.run_id)
            if not self._threads:
                # Daemon threads: stopping the server never waits for a drill (its child is a
                # daemon process, ended with the server; the run then shows as stalled).
                self._threads = [threading.Thread(target=self._beat, name="drill-heartbeat", daemon=True),
                                 threading.Thread(target=self._work, name="drill-runner", daemon=True)]
                for thread in self._threads:
                    thread.start()
        self._jobs.put(job)

    def stop(self) -> None:
        """End the running drill's child and the threads (the run fails: the server stopped)."""
        self._stopping.set()
        child = self._child
        if child is not None and child.is_alive():
            child.terminate()
        for thread in self._threads:
            thread.join(timeout=15)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self._jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            self._run(job)

    def _beat(self) -> None:
        while not self._stopping.wait(HEARTBEAT.total_seconds()):
            with self._lock:
                held = list(self._held)
            try:
                with self._store.transaction() as session:
                    touch_drill_runs(session=session, clock=self._clock, run_ids=held)
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("drills.heartbeat_failed")

    def _run(self, job: DrillJob) -> None:
        try:
            if self._stopping.is_set():
                return
            report_dir = self._reports_dir / str(job.run_id)
            with self._store.transaction() as session:
                start_drill_run(session=session, clock=self._clock, run_id=job.run_id, report_dir=str(report_dir))
            outcome, payload = self._follow(job, report_dir)
            with self._store.transaction() as session:
                if outcome == "done":
                    finish_drill_run(session=session, clock=self._clock, run_id=job.run_id, kpis=payload)
                else:
                    fail_drill_run(session=session, clock=self._clock, run_id=job.run_id, error=payload)
        except Exception:
            log.exception("drills.run_failed", run_id=str(job.run_id))
            try:
                with self._store.transaction() as session:
                    fail_drill_run(session=session, clock=self._clock, run_id=job.run_id,
                                   error="the drill could not be run (see the server log)")
            except Exception:
                log.exception("drills.fail_not_recorded", run_id=str(job.run_id))
        finally:
            with self._lock:
                self._held.discard(job.run_id)

    def _follow(self, job: DrillJob, report_dir: Path) -> tuple[str, object]:
        messages = CHILDREN.Queue()
        child = CHILDREN.Process(target=run_drill_job, args=(job, str(report_dir), messages), daemon=True,
                              name=f"drill-{job.run_id}")
        self._child = child
        child.start()
        written_at, pending = 0.0, None
        try:
            while True:
                try:
                    kind, payload = messages.get(timeout=0.5)
                except queue.Empty:
                    if not child.is_alive():
                        if self._stopping.is_set():
                            return "failed", "the server stopped while the drill ran"
                        return "failed", f"the drill's process stopped unexpectedly (exit code {child.exitcode})"
                    kind, payload = None, None
                if kind in ("done", "failed"):
                    return kind, payload
                if kind == "progress":
                    pending = payload
                if pending is not None and time.monotonic() - written_at >= MIN_WRITE_INTERVAL_S:
                    with self._store.transaction() as session:
                        report_drill_progress(session=session, clock=self._clock, run_id=job.run_id,
                                              progress=pending)
                    written_at, pending = time.monotonic(), None
        finally:
            child.join(timeout=10)
            if child.is_alive():
                child.terminate()
            self._child = None
            messages.close()
