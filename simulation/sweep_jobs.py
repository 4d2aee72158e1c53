"""Sweeps started from the console, run in the background, one after another.

A sweep's replications run on Dask worker processes (a local cluster started for the sweep, or
the cluster at `scheduler`), so the server's own process only submits tasks and collects a few
numbers per replication: the duty officers' pages stay quick. Each sweep has a folder under the
sweeps folder, named by its id, holding `status.json` (written whole and renamed, at most four
times a second) and, when done, the report and the tidy table. Any web process on the machine
reads the status from there, as drill runs are read from the database; the finished
replications are kept in the cache folder, so a sweep stopped with the server is resumed, not
redone, by starting it again.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import threading
import time
import uuid
from concurrent.futures import Executor
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

import structlog

from simulation.runner import InlineExecutor
from simulation.sweeps import (
    Progress,
    ReplicationCache,
    analyse,
    dask_executor,
    expand,
    load_sweep,
    tidy_table,
    verdict,
    write_sweep_report,
    write_table,
)
from simulation.sweeps.execution import run_sweep
from sop_engine import SopDefinitionError

log = structlog.get_logger(__name__)

STATUS = "status.json"
MIN_WRITE_INTERVAL_S = 0.25
"""The page polls twice a second; writing more often only costs the disk."""


def read_status(folder: Path, sweep_id: str) -> dict | None:
    """A sweep's status as last written, or None when there is no such sweep."""
    try:
        uuid.UUID(sweep_id)
        return json.loads((folder / sweep_id / STATUS).read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def recent_sweeps(folder: Path, limit: int = 50) -> list[dict]:
    """The newest sweeps first."""
    found = [status for path in folder.glob(f"*/{STATUS}") if (status := read_status(folder, path.parent.name))]
    return sorted(found, key=lambda s: s["requested_at"], reverse=True)[:limit]


def _write_status(folder: Path, status: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(status, out)
    os.replace(temporary, folder / STATUS)


class SweepJobs:
    """Runs submitted sweeps one at a time in a background thread; see the module's docstring.

    Args:
        folder: where each sweep's folder is made.
        cache_dir: finished replications, shared by every sweep (content-addressed).
        workers: local Dask workers per sweep (None: one per CPU; 0: in the server's own process,
            for tests and a machine where Dask cannot start processes).
        scheduler: an existing cluster instead (`tcp://HOST:PORT`).
    """

    def __init__(self, *, folder: Path, cache_dir: Path, workers: int | None = None, scheduler: str | None = None):
        self.folder, self.cache_dir, self.workers, self.scheduler = folder, cache_dir, workers, scheduler
        self._jobs: queue.Queue[tuple[str, Path]] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, *, sweep_path: Path, name: str, requested_by: str) -> str:
        """Queue the sweep; return its id (its folder's name)."""
        sweep_id = str(uuid.uuid4())
        _write_status(self.folder / sweep_id, {
            "id": sweep_id, "name": name, "source": sweep_path.name, "requested_by": requested_by,
            "requested_at": datetime.now(timezone.utc).isoformat(), "status": "queued", "done": 0, "planned": 0,
            "from_cache": 0, "progress": 0.0, "verdict": None, "error": None, "finished": False})
        with self._lock:
            if self._thread is None:
                # A daemon thread: stopping the server never waits for a sweep (its replications are cached).
                self._thread = threading.Thread(target=self._work, name="sweep-runner", daemon=True)
                self._thread.start()
        self._jobs.put((sweep_id, sweep_path))
        return sweep_id

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def _executor(self) -> AbstractContextManager[Executor]:
        if self.scheduler is None and self.workers == 0:
            return nullcontext(InlineExecutor())
        return dask_executor(scheduler=self.scheduler, workers=self.workers)

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                sweep_id, sweep_path = self._jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            self._run(sweep_id, sweep_path)

    def _run(self, sweep_id: str, sweep_path: Path) -> None:
        folder = self.folder / sweep_id
        status = read_status(self.folder, sweep_id) or {}
        written_at = [0.0]

        def update(final: bool = False, **changes) -> None:
            status.update(changes)
            if final or time.monotonic() - written_at[0] >= MIN_WRITE_INTERVAL_S:
                _write_status(folder, status)
                written_at[0] = time.monotonic()

        def progress(p: Progress) -> None:
            if self._stopping.is_set():
                raise InterruptedError("the server stopped while the sweep ran")
            update(done=p.done, planned=p.planned, from_cache=p.from_cache, progress=p.done / max(1, p.planned))

        try:
            update(final=True, status="running")
            loaded = load_sweep(sweep_path)
            variants = expand(loaded)
            with self._executor() as executor:
                run = run_sweep(loaded, variants, executor=executor, cache=ReplicationCache(self.cache_dir),
                                on_progress=progress)
            analysis = analyse(loaded, variants, run)
            write_table(tidy_table(loaded, variants, run), folder)
            write_sweep_report(folder=folder, loaded=loaded, variants=variants, analysis=analysis,
                               replications=len(run.kpis), from_cache=run.from_cache)
            update(final=True, status="done", progress=1.0, finished=True, verdict=verdict(loaded, variants, analysis),
                   variants=len(variants))
        except SopDefinitionError as error:
            update(final=True, status="failed", finished=True, error="\n".join(str(p) for p in error.problems))
        except Exception as error:  # any failure is the sweep's outcome, shown to the planner
            log.exception("sweeps.failed", sweep_id=sweep_id)
            update(final=True, status="failed", finished=True, error=f"{type(error).__name__}: {error}")
