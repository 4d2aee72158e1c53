"""`iccc drill ...`: check a drill scenario, run it with a report, compare policies or SOP sets.

Drills need no server and no database: each replication builds its own in memory.
"""

from __future__ import annotations

import logging
import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import httpx
from tqdm import tqdm

from processes.drill_live import declare_live, live_arrivals
from coordination.dispatch_service import RoadMap
from simulation import (
    KpiSummary,
    Scenario,
    compare,
    load_scenario,
    replication_kpis,
    run_drill,
    sop_files,
    summarise,
    write_report,
)
from simulation.city import build_city
from simulation.intervals import MIN_REPLICATIONS
from simulation.precision import MAX_REPLICATIONS, PrecisionTarget, run_until_precise
from simulation.report_summary import headline
from sop_engine import SopDefinitionError


@click.group()
def drill() -> None:
    """Crisis drills: SimPy simulations of the city's SOPs and fleet (all incidents are exercises)."""
    # Each replication migrates its own in-memory database: its migration log is noise here.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def load_scenario_or_exit(path: Path, **overrides) -> Scenario:
    """Load a scenario, or print its problems as `file:line: message` and exit 1."""
    try:
        scenario = load_scenario(path)
        scenario = scenario.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        if scenario.sops != "shipped":
            sop_files(scenario)
        return scenario
    except SopDefinitionError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)


@drill.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario files; print `file:line: message` for each problem."""
    failed = False
    for path in paths:
        try:
            scenario = load_scenario(path)
            if scenario.sops != "shipped":
                sop_files(scenario)
            click.echo(f"{path}: ok ({scenario.name}, {scenario.duration / 3600:g} h x {scenario.replications})")
        except SopDefinitionError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
    if failed:
        sys.exit(1)


DEFAULT_REPORTS = Path("iccc-data") / "drills"
"""Where reports go without --report: beside the demo's data, where the console keeps its own."""


def default_report_folder(scenario_name: str, now: datetime) -> Path:
    """A new folder per run, named for the scenario and the time (UTC), so no run overwrites another."""
    return DEFAULT_REPORTS / f"{scenario_name}-{now:%Y%m%d-%H%M%S}"


def _run(scenario: Scenario, policy: str | None, label: str, first_replication: int = 0):
    with tqdm(total=scenario.replications, desc=label, unit="replication", file=sys.stderr) as bar:
        return run_drill(scenario, policy=policy, on_done=lambda _records: bar.update(1),
                         first_replication=first_replication)


def _run_until_precise(scenario: Scenario, target: PrecisionTarget, max_replications: int):
    """Replications until the target is met, each round said; the records and whether it was."""
    def said(n: int, width: float) -> None:
        click.echo(f"{n} replications: {target.kpi} interval {_width(width)} wide (target: under {target.width:g})",
                   err=True)

    try:
        drill = run_until_precise(scenario, target, run=lambda part, first: _run(part, None, scenario.name, first),
                                  on_round=said, max_replications=max_replications)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--precision") from error
    if drill.reached:
        click.echo(f"precision reached after {len(drill.records)} replications: {target.kpi} interval "
                   f"{drill.width:g} wide, under {target.width:g}")
    else:
        click.echo(f"precision NOT reached: {target.kpi} interval {_width(drill.width)} wide after "
                   f"{len(drill.records)} replications (--max-replications {max_replications})")
    return drill.records, drill.reached


def _width(width: float) -> str:
    return "not yet measurable" if math.isnan(width) else f"{width:g}"


@drill.command()
@click.argument("scenario_path", type=click.Path(exists=True, path_type=Path))
@click.option("--report", "report_dir", default=None, type=click.Path(path_type=Path),
              help="folder for index.html, the plots, the CSV and JSON records "
                   "[default: iccc-data/drills/SCENARIO-YYYYMMDD-HHMMSS]")
@click.option("--replications", type=int, default=None, help="override the scenario's replications")
@click.option("--policy", type=click.Choice(["greedy", "optimised"]), default=None)
@click.option("--engine", type=click.Choice(["services", "runtime"]), default=None,
              help="override the scenario's engine (runtime, the default: no database; services: with one)")
@click.option("--precision", "precision", default=None, metavar="KPI=WIDTH",
              help="add replications until KPI's 95%% interval is narrower than WIDTH (the KPI's unit: seconds, "
                   "or a share 0..1), e.g. response_s.mean=60 or 'ack_in_time.share | fire-central=0.1'")
@click.option("--max-replications", type=click.IntRange(min=MIN_REPLICATIONS), default=MAX_REPLICATIONS,
              show_default=True, help="with --precision: stop adding replications here")
def run(scenario_path: Path, report_dir: Path | None, replications: int | None, policy: str | None,
        engine: str | None, precision: str | None, max_replications: int) -> None:
    """Run a drill scenario and write its report."""
    scenario = load_scenario_or_exit(scenario_path, replications=replications, engine=engine)
    if report_dir is None:
        report_dir = default_report_folder(scenario.name, datetime.now(UTC))
    if policy is not None:
        scenario = scenario.model_copy(update={"dispatch": scenario.dispatch.model_copy(update={"policy": policy})})
    reached = True
    if precision is None:
        records = _run(scenario, None, scenario.name)
        click.echo("", err=True)
    else:
        try:
            target = PrecisionTarget.parse(precision)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--precision") from error
        records, reached = _run_until_precise(scenario, target, max_replications)
    summaries = summarise([replication_kpis(r) for r in records])
    city = build_city(scenario)
    page = write_report(folder=report_dir, scenario=scenario, records=records, summaries=summaries,
                        stations=[(s.station_id, s.lon, s.lat) for s in city.stations],
                        streets=RoadMap.of(city.network))
    for row in headline(summaries, scenario.targets):
        click.echo(f"{row.label}: {row.value}; target {row.target}")
    click.echo(f"report: {page}")
    if not reached:
        sys.exit(1)


@drill.command(name="compare")
@click.argument("scenario_path", type=click.Path(exists=True, path_type=Path))
@click.option("--policy", "policies", multiple=True, type=click.Choice(["greedy", "optimised"]),
              help="two policies to compare (A then B)")
@click.option("--sops", "sop_sets", multiple=True, help="two SOP sets to compare: 'shipped' or folders")
@click.option("--replications", type=int, default=None)
@click.option("--engine", type=click.Choice(["services", "runtime"]), default=None,
              help="override the scenario's engine (runtime, the default: no database; services: with one)")
@click.option("--all-kpis", is_flag=True, help="print every KPI, not only the headline ones")
def compare_command(scenario_path: Path, policies: tuple[str, ...], sop_sets: tuple[str, ...],
                    replications: int | None, engine: str | None, all_kpis: bool) -> None:
    """Run the scenario twice (same seeds) and print B - A for every KPI with its 95% interval."""
    scenario = load_scenario_or_exit(scenario_path, replications=replications, engine=engine)
    if len(policies) == 2 and not sop_sets:
        arms = [(p, scenario.model_copy(update={"dispatch": scenario.dispatch.model_copy(update={"policy": p})}))
                for p in policies]
    elif len(sop_sets) == 2 and not policies:
        # Folders given on the command line are relative to where it is typed, not to the scenario.
        arms = [(s, scenario.model_copy(update={"sops": s if s == "shipped" else str(Path(s).resolve())}))
                for s in sop_sets]
        for _label, arm in arms:
            if arm.sops != "shipped":
                try:
                    sop_files(arm)
                except SopDefinitionError as error:
                    raise click.BadParameter(str(error), param_hint="--sops") from error
    else:
        raise click.UsageError("give exactly two --policy or exactly two --sops")
    results = [[replication_kpis(r) for r in _run(arm, None, label)] for label, arm in arms]
    click.echo("", err=True)
    (label_a, _), (label_b, _) = arms
    click.echo(f"{'KPI':44s} {label_a:>24s} {label_b:>24s} {'B - A (95% CI)':>24s}")
    rows = compare(*results)
    for row in rows:
        if not all_kpis and not row.name.startswith(("response_s", "utilisation | all", "escalations | all",
                                                     "unserved", "time_to_close")):
            continue
        click.echo(f"{row.name:44s} {_ci(row.a):>24s} {_ci(row.b):>24s} {_ci(row.difference):>24s}")
    if any(row.difference.too_few for row in rows):
        click.echo(f"(too few: fewer than {MIN_REPLICATIONS} replications, no interval is given)")


def _ci(summary: KpiSummary | None) -> str:
    """`mean [low, high]`, or the mean marked as having too few replications for an interval."""
    if summary is None or math.isnan(summary.mean):
        return "–"
    if summary.too_few:
        return f"{summary.mean:.2f} (too few)"
    return f"{summary.mean:.2f} [{summary.low:.2f}, {summary.high:.2f}]"


@drill.command()
@click.argument("scenario_path", type=click.Path(exists=True, path_type=Path))
@click.option("--url", default="http://127.0.0.1:8080", show_default=True, help="the running server")
@click.option("--token", envvar="ICCC_TOKEN", required=True, help="a duty officer's token (or ICCC_TOKEN)")
@click.option("--speed", type=float, default=60.0, show_default=True, help="simulated seconds per wall second")
def live(scenario_path: Path, url: str, token: str, speed: float) -> None:
    """Declare the scenario's incidents against a running server in accelerated real time (as exercises)."""
    scenario = load_scenario_or_exit(scenario_path)
    arrivals = live_arrivals(scenario)
    click.echo(f"{len(arrivals)} exercise incidents over {scenario.duration / speed:.0f} s at {speed:g}x to {url}")
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10,
                      trust_env=False) as client, tqdm(total=len(arrivals), unit="incident", file=sys.stderr) as bar:
        accepted = declare_live(client=client, arrivals=arrivals, speed=speed,
                                on_declared=lambda _arrival, _response: bar.update(1))
    click.echo(f"declared {accepted} of {len(arrivals)}")
    if accepted != len(arrivals):
        sys.exit(1)
