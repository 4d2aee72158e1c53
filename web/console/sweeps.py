"""The planners' sweep pages: start a shipped sweep (checked as `iccc drill sweep` checks it,
its `file:line` messages shown), follow it with a live progress bar while it runs on Dask in the
background, and read its report.

Planners and administrators only. Sweeps are read from their folders (`simulation.sweep_jobs`),
not from the database.
"""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory, url_for

from coordination import Role
from simulation.sweep_jobs import SweepJobs, read_status, recent_sweeps
from simulation.sweeps import load_sweep
from sop_engine import SopDefinitionError
from web.app.problems import read_by_scripts, status_for
from web.console.access import console_caller, csrf_token, require_csrf, script_caller

blueprint = Blueprint("sweep_console", __name__)

PLANNERS = frozenset({Role.PLANNER, Role.ADMINISTRATOR})
SHIPPED_SWEEPS = Path(str(resources.files("simulation") / "sweeps" / "examples"))
LIBRARY_KEY = "ICCC_SWEEP_LIBRARY"
"""A folder of the city's own sweep files the page offers instead of the shipped examples (sweeps
name scenario files, so the page offers only files on the server, never an upload)."""
SWEEPS_DIR_KEY = "ICCC_SWEEP_REPORTS"
"""Flask config key (and environment variable) of the folder sweeps are written to."""
DEFAULT_SWEEPS_DIR = Path("iccc-data") / "sweeps"
WORKERS_KEY = "ICCC_SWEEP_WORKERS"
"""Local Dask workers per sweep (default one per CPU; 0 runs in the server's process)."""
SCHEDULER_KEY = "ICCC_SWEEP_SCHEDULER"
"""An existing Dask cluster's scheduler (`tcp://HOST:PORT`) to run sweeps on instead."""

_jobs_lock = threading.Lock()


def _setting(key: str) -> str | None:
    value = current_app.config.get(key)
    return str(value) if value is not None else os.environ.get(key)


def sweep_jobs() -> SweepJobs:
    """This app's sweep runner, made on first use."""
    with _jobs_lock:
        jobs = current_app.extensions.get("iccc_sweeps")
        if jobs is None:
            folder = Path(_setting(SWEEPS_DIR_KEY) or DEFAULT_SWEEPS_DIR).resolve()
            workers = _setting(WORKERS_KEY)
            jobs = SweepJobs(folder=folder, cache_dir=folder / "cache",
                             workers=int(workers) if workers else None, scheduler=_setting(SCHEDULER_KEY))
            current_app.extensions["iccc_sweeps"] = jobs
        return jobs


def sweep_library() -> Path:
    return Path(_setting(LIBRARY_KEY) or SHIPPED_SWEEPS)


def shipped_sweeps() -> list[str]:
    return sorted(path.name for path in sweep_library().glob("*.yaml"))


@blueprint.get("/console/sweeps")
def sweeps_page(*, chosen: str | None = None, error: str | None = None, problems: list | None = None,
                status: int = 200):
    caller = console_caller(PLANNERS)
    sweeps = shipped_sweeps()
    page = render_template("sweeps.html", caller=caller, csrf_token=csrf_token(), sweeps=sweeps,
                           chosen=chosen or (sweeps[0] if sweeps else ""), error=error, problems=problems or [],
                           runs=recent_sweeps(sweep_jobs().folder))
    return page, status


@blueprint.post("/console/sweeps")
def start_sweep():
    caller = console_caller(PLANNERS)
    require_csrf()
    chosen = request.form.get("sweep", "").strip()
    if chosen not in shipped_sweeps():
        return sweeps_page(chosen=chosen, error="choose one of the sweeps offered", status=422)
    path = sweep_library() / chosen
    try:
        loaded = load_sweep(path)
    except SopDefinitionError as error:
        return sweeps_page(chosen=chosen, error=f"{chosen} has {len(error.problems)} problem(s): see below",
                           problems=list(error.problems), status=status_for(error))
    sweep_id = sweep_jobs().submit(sweep_path=path, name=loaded.sweep.name, requested_by=caller.label)
    return redirect(url_for("sweep_console.sweep_page", sweep_id=sweep_id), code=303)


def _status_or_404(sweep_id: str) -> dict:
    status = read_status(sweep_jobs().folder, sweep_id)
    if status is None:
        abort(404)
    return status


@blueprint.get("/console/sweeps/<uuid:sweep_id>")
def sweep_page(sweep_id):
    caller = console_caller(PLANNERS)
    status = _status_or_404(str(sweep_id))
    return render_template("sweep_run.html", caller=caller, csrf_token=csrf_token(), run=status)


@blueprint.get("/console/sweeps/<uuid:sweep_id>/progress.json")
@read_by_scripts
def sweep_progress(sweep_id):
    script_caller(PLANNERS)
    status = _status_or_404(str(sweep_id))
    return {key: status.get(key) for key in ("status", "progress", "done", "planned", "from_cache", "error",
                                             "finished", "verdict")}


@blueprint.get("/console/sweeps/<uuid:sweep_id>/report/<any('index.html', 'sweep.csv', 'sweep.parquet'):name>")
def sweep_report(sweep_id, name: str):
    """The sweep's report and tidy table, as written."""
    console_caller(PLANNERS)
    _status_or_404(str(sweep_id))
    return send_from_directory(sweep_jobs().folder / str(sweep_id), name)
