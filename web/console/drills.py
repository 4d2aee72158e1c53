"""The planners' drill pages: choose a shipped scenario or upload one (checked as `iccc drill
validate` checks it, with its `file:line` messages beside the text), run it in the background
with a live progress bar, keep every run, read its report and compare two runs.

Planners and administrators only. A planner sees drills, never an agency's task or a live
incident: these pages read drill runs and their reports, nothing else.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from importlib import resources
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from coordination import NotFound, Role
from coordination.drill_runs import (
    DrillRequest,
    DrillRunStatus,
    drill_run,
    recent_drill_runs,
    record_drill_request,
    settle_stalled_runs,
)
from simulation import (
    KpiSummary,
    Scenario,
    compare,
    scenario_from_text,
    sop_files,
    summarise,
)
from simulation.drill_jobs import DrillJob, DrillWorker
from simulation.kpi_names import format_interval, kpi_label
from simulation.report_summary import headline, targets_of
from sop_engine import SopDefinitionError, SourceProblem
from web.app.context import services
from web.app.problems import read_by_scripts, status_for
from web.console.access import console_caller, csrf_token, require_csrf, script_caller

blueprint = Blueprint("drill_console", __name__)

PLANNERS = frozenset({Role.PLANNER, Role.ADMINISTRATOR})
SHIPPED_SCENARIOS = Path(str(resources.files("simulation") / "scenarios"))
REPORTS_DIR_KEY = "ICCC_DRILL_REPORTS"
"""Flask config key (and environment variable) of the folder drill reports are written to."""
DEFAULT_REPORTS_DIR = Path("iccc-data") / "drills"
MAX_SCENARIO_BYTES = 256 * 1024
MAX_WAITING = 5
"""Drills held at once (one running, the rest queued): more is a runaway, not a plan."""
MAX_REPLICATIONS = 1000
HEADLINE = ("response_s.mean | all", "response_s.p90 | all", "time_to_close_s", "utilisation | all",
            "escalations | all", "unserved", "incidents", "ack_in_time.share | all", "complete_in_time.share | all")
"""The KPIs two runs are compared on unless every KPI is asked for."""

_worker_lock = threading.Lock()


def drill_worker() -> DrillWorker:
    """This app's drill worker, made on first use."""
    with _worker_lock:
        worker = current_app.extensions.get("iccc_drills")
        if worker is None:
            context = services()
            folder = current_app.config.get(REPORTS_DIR_KEY) or os.environ.get(REPORTS_DIR_KEY) or DEFAULT_REPORTS_DIR
            worker = DrillWorker(store=context.store, clock=context.clock, reports_dir=Path(folder).resolve())
            current_app.extensions["iccc_drills"] = worker
        return worker


def shipped_scenarios() -> list[str]:
    return sorted(path.name for path in SHIPPED_SCENARIOS.glob("*.yaml"))


FIRST_SCENARIO = "small-city.yaml"
"""The scenario the drill page offers first: the demo's own city, a few minutes to run."""


def _preselected(scenarios: list[str]) -> str:
    """A planner opening the page can run a drill at once (upload or paste still win)."""
    return FIRST_SCENARIO if FIRST_SCENARIO in scenarios else (scenarios[0] if scenarios else "")


@blueprint.get("/console/drills")
def drills_page(*, form: dict | None = None, errors: dict | None = None, problems: list | None = None,
                text_lines: list[str] | None = None, status: int = 200):
    caller = console_caller(PLANNERS)
    context = services()
    with context.store.transaction() as db:
        runs = recent_drill_runs(session=db, clock=context.clock)
        scenarios = shipped_scenarios()
        form = form if form is not None else {"scenario": _preselected(scenarios)}
        page = render_template("drills.html", caller=caller, csrf_token=csrf_token(), runs=runs,
                               scenarios=scenarios, form=form, errors=errors or {},
                               problems=problems or [], text_lines=text_lines or [],
                               problem_lines={p.line for p in problems or []})
    return page, status


@blueprint.post("/console/drills")
def start_drill():
    caller = console_caller(PLANNERS)
    require_csrf()
    form = {key: request.form.get(key, "").strip() for key in ("scenario", "replications", "seed", "engine", "policy")}
    errors: dict[str, str] = {}
    text, source, base_dir = _scenario_text(form, errors)
    overrides = _overrides(form, errors)
    if errors:
        return drills_page(form=form, errors=errors, status=422)
    try:
        scenario = scenario_from_text(text, source=source, base_dir=base_dir)
        if base_dir is None:
            _refuse_server_files(text, source)
        if scenario.sops != "shipped":
            sop_files(scenario)
    except SopDefinitionError as error:
        field = "scenario" if base_dir is not None else "upload" if source != PASTED else "scenario_text"
        return drills_page(form=form, errors={field: f"{source} has {len(error.problems)} problem(s): see below"},
                           problems=list(error.problems), text_lines=text.splitlines(),
                           status=status_for(error))
    worker = drill_worker()
    if worker.waiting >= MAX_WAITING:
        return drills_page(form=form, errors={"scenario": f"{MAX_WAITING} drills are running or waiting already: "
                                                          "start this one when one has finished"}, status=429)
    effective = _effective(scenario, overrides)
    context = services()
    with context.store.transaction() as db:
        run = record_drill_request(session=db, clock=context.clock, requested_by=caller.label, request=DrillRequest(
            scenario_name=effective.name, scenario_source=source, scenario_text=text, seed=effective.seed,
            replications=effective.replications, duration_s=effective.duration, engine=effective.engine,
            policy=effective.dispatch.policy))
        run_id = run.id
    worker.submit(DrillJob(run_id=run_id, scenario_text=text, source=source, base_dir=str(base_dir or _NOWHERE),
                           overrides=_as_update(effective, overrides)))
    return redirect(url_for("drill_console.run_page", run_id=run_id), code=303)


PASTED = "pasted.yaml"
"""The name a pasted scenario's messages carry."""
_NOWHERE = Path("/nonexistent/uploaded-scenarios-read-no-files")
"""Uploaded scenarios name no files on the server: relative paths resolve to nothing."""


def _scenario_text(form: dict, errors: dict) -> tuple[str, str, Path | None]:
    """The scenario's YAML, the name its messages carry, and its folder (None: uploaded)."""
    upload = request.files.get("upload")
    pasted = request.form.get("scenario_text", "")
    if upload is not None and upload.filename:
        data = upload.read(MAX_SCENARIO_BYTES + 1)
        name = Path(upload.filename).name or "upload.yaml"
        if len(data) > MAX_SCENARIO_BYTES:
            errors["upload"] = f"a scenario is at most {MAX_SCENARIO_BYTES // 1024} KB"
            return "", name, None
        try:
            return data.decode("utf-8"), name, None
        except UnicodeDecodeError:
            errors["upload"] = "the file is not UTF-8 text"
            return "", name, None
    if pasted.strip():
        form["scenario_text"] = pasted
        if len(pasted.encode("utf-8")) > MAX_SCENARIO_BYTES:
            errors["scenario_text"] = f"a scenario is at most {MAX_SCENARIO_BYTES // 1024} KB"
        return pasted, PASTED, None
    if form["scenario"] in shipped_scenarios():
        path = SHIPPED_SCENARIOS / form["scenario"]
        return path.read_text(encoding="utf-8"), form["scenario"], SHIPPED_SCENARIOS
    errors["scenario"] = "choose a shipped scenario, or upload or paste one"
    return "", "", None


def _refuse_server_files(text: str, source: str) -> None:
    """An uploaded scenario may not read the server's folders (SOP sets, road networks)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"\s*sops\s*:\s*(?!shipped\b)\S", line):
            problems.append(SourceProblem(source, number, "an uploaded scenario uses the shipped SOPs (sops: shipped)"))
        if re.match(r"\s*graphml\s*:", line):
            problems.append(SourceProblem(source, number, "an uploaded scenario uses a generated grid, not a GraphML file"))
    if problems:
        raise SopDefinitionError(problems)


def _overrides(form: dict, errors: dict) -> dict:
    overrides: dict = {}
    for name, low, high in (("replications", 1, MAX_REPLICATIONS), ("seed", 0, 2**63 - 1)):
        raw = form[name]
        if raw:
            if not raw.isdigit() or not low <= int(raw) <= high:
                errors[name] = f"{name} is a whole number from {low} to {high:,}"
            else:
                overrides[name] = int(raw)
    if form["engine"]:
        if form["engine"] not in ("services", "runtime"):
            errors["engine"] = "engine is services or runtime"
        else:
            overrides["engine"] = form["engine"]
    if form["policy"]:
        if form["policy"] not in ("greedy", "optimised"):
            errors["policy"] = "policy is greedy or optimised"
        else:
            overrides["policy"] = form["policy"]
    return overrides


def _as_update(scenario: Scenario, overrides: dict) -> dict:
    update = {k: v for k, v in overrides.items() if k != "policy"}
    if "policy" in overrides:
        update["dispatch"] = scenario.dispatch.model_copy(update={"policy": overrides["policy"]})
    return update


def _effective(scenario: Scenario, overrides: dict) -> Scenario:
    return scenario.model_copy(update=_as_update(scenario, overrides))


def _run_or_404(db, run_id: uuid.UUID):
    return drill_run(session=db, run_id=run_id)  # NotFound answers 404 through the error map


@blueprint.get("/console/drills/<uuid:run_id>")
def run_page(run_id: uuid.UUID):
    caller = console_caller(PLANNERS)
    context = services()
    with context.store.transaction() as db:
        settle_stalled_runs(session=db, clock=context.clock)
        run = _run_or_404(db, run_id)
        summaries = summarise(run.kpis["replications"]) if run.kpis else []
        report = Path(run.report_dir) if run.report_dir else None
        plots = [name for name in ("response_times.png", "incidents_over_time.png", "units_busy_over_time.png",
                                   "map.png") if report is not None and (report / name).is_file()]
        return render_template("drill_run.html", caller=caller, csrf_token=csrf_token(), run=run,
                               headline=headline(summaries, targets_of(run.scenario_text)), summaries=summaries,
                               label=kpi_label,
                               plots=plots, has_report=report is not None and (report / "index.html").is_file(),
                               fmt=fmt_ci, finished=DrillRunStatus(run.status).is_finished)


@blueprint.get("/console/drills/<uuid:run_id>/progress.json")
@read_by_scripts
def run_progress(run_id: uuid.UUID):
    script_caller(PLANNERS)
    context = services()
    with context.store.transaction() as db:
        settle_stalled_runs(session=db, clock=context.clock)
        run = _run_or_404(db, run_id)
        return {"status": run.status, "progress": run.progress, "error": run.error,
                "finished": DrillRunStatus(run.status).is_finished}


@blueprint.get("/console/drills/<uuid:run_id>/report/<path:name>")
def report_file(run_id: uuid.UUID, name: str):
    """The simulation's own report (index.html, plots, CSV, JSON), served as it was written."""
    console_caller(PLANNERS)
    with services().store.transaction() as db:
        folder = _run_or_404(db, run_id).report_dir
    if not folder:
        abort(404)
    return send_from_directory(folder, name)


@blueprint.get("/console/drills/compare")
def compare_page():
    caller = console_caller(PLANNERS)
    context = services()
    all_kpis = request.args.get("all") == "1"
    with context.store.transaction() as db:
        done = [run for run in recent_drill_runs(session=db, clock=context.clock) if run.status == "done"]
        chosen = {}
        error = None
        for arm in ("a", "b"):
            raw = request.args.get(arm, "")
            match = next((run for run in done if str(run.id) == raw), None)
            if raw and match is None:
                error = f"run {arm.upper()} is not a finished drill run"
            chosen[arm] = match
        rows = []
        a, b = chosen["a"], chosen["b"]
        if a is not None and b is not None:
            rows = [row for row in compare(a.kpis["replications"], b.kpis["replications"])
                    if all_kpis or row.name.startswith(HEADLINE)]
        page = render_template("drill_compare.html", caller=caller, csrf_token=csrf_token(), done=done, a=a, b=b,
                               rows=rows, error=error, all_kpis=all_kpis, fmt=fmt_ci, label=kpi_label,
                               difference=lambda row: fmt_ci(row.difference))
    return page, (422 if error else 200)


def fmt_ci(summary: KpiSummary | None) -> str:
    """A KPI in its unit with its 95% interval, or why it has none (`–` when it has no value)."""
    if summary is None:
        return "–"
    return format_interval(summary.name, summary.n, summary.mean, summary.low, summary.high)
