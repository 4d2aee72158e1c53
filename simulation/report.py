"""The drill report: records as CSV and JSON, KPI table, plots as PNG files beside an HTML page.

No CDN and no JavaScript: the HTML references its PNG files by relative path, so the folder can
be zipped and mailed to a planner as it is.
"""

from __future__ import annotations

import csv
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

from simulation.kpis import KpiSummary
from simulation.records import DrillRecords, columns_of
from simulation.scenario import Scenario

PLOTS = ("response_times.png", "incidents_over_time.png", "units_busy_over_time.png", "map.png")


def write_report(*, folder: Path, scenario: Scenario, records: Sequence[DrillRecords],
                 summaries: Sequence[KpiSummary], stations: Sequence[tuple[str, float, float]]) -> Path:
    """Write records.json, one CSV per record kind, kpis.csv, the plots and index.html; return the page."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in DrillRecords.TABLES:
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns_of(table))
            writer.writeheader()
            for replication in records:
                writer.writerows(replication.table(table))
    (folder / "records.json").write_text(json.dumps({
        "scenario": scenario.name, "is_exercise": True, "seed": scenario.seed,
        "replications": [{"replication": r.replication, "duration_s": r.duration_s, "counters": r.counters,
                          **{table: r.table(table) for table in DrillRecords.TABLES}} for r in records],
    }, indent=1), encoding="utf-8")
    with (folder / "kpis.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi", "replications", "mean", "ci95_low", "ci95_high"])
        for s in summaries:
            writer.writerow([s.name, s.n, s.mean, s.low, s.high])
    _plot_responses(folder / PLOTS[0], records)
    _plot_incidents(folder / PLOTS[1], records)
    _plot_busy(folder / PLOTS[2], records)
    _plot_map(folder / PLOTS[3], records, stations)
    page = folder / "index.html"
    page.write_text(_page(scenario, records, summaries), encoding="utf-8")
    return page


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def _page(scenario: Scenario, records: Sequence[DrillRecords], summaries: Sequence[KpiSummary]) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.n}</td><td>{_fmt(s.mean)}</td>"
        f"<td>{_fmt(s.low)} – {_fmt(s.high)}</td></tr>" for s in summaries)
    incidents = sum(len(r.incidents) for r in records)
    figures = "\n".join(f'<figure><img src="{name}" alt="{name[:-4].replace("_", " ")}"></figure>' for name in PLOTS)
    tables = " · ".join(f'<a href="{t}.csv">{t}.csv</a>' for t in DrillRecords.TABLES)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill {html.escape(scenario.name)} (exercise)</title>
<style>body{{font-family:sans-serif;max-width:70rem;margin:auto}}td,th{{padding:2px 8px;text-align:right}}
td:first-child{{text-align:left}}img{{max-width:100%}}.exercise{{background:#fd0;padding:4px}}</style></head>
<body><h1>Drill: {html.escape(scenario.name)}</h1>
<p class="exercise">EXERCISE — every incident in this report is a drill incident, never a live one.</p>
<p>{len(records)} replications of {scenario.duration / 3600:g} h, seed {scenario.seed},
dispatch policy {html.escape(scenario.dispatch.policy)}, {html.escape(scenario.engine)} world;
{incidents} incidents in all.
Records: <a href="records.json">records.json</a> · {tables} · <a href="kpis.csv">kpis.csv</a></p>
{figures}
<h2>KPIs (mean over replications, 95% t-interval)</h2>
<table><tr><th>KPI</th><th>n</th><th>mean</th><th>95% CI</th></tr>
{rows}
</table></body></html>
"""


def _figure(width_in: float, height_in: float):
    """A figure and its axes, drawn to files only.

    Matplotlib's `Figure` rather than pyplot: no global state and no GUI backend to choose (the
    way matplotlib documents for web servers), and imported here, when a report is drawn, rather
    than by every process that imports the drill engine (`iccc` commands, the server), where it
    cost about 0.4 s at each start.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in))
    return fig, fig.subplots()


def _plot_responses(path: Path, records: Sequence[DrillRecords]) -> None:
    by_type: dict[str, list[float]] = {}
    for r in records:
        for i in r.incidents:
            if i.response_s is not None:
                by_type.setdefault(i.incident_type, []).append(i.response_s / 60)
    fig, ax = _figure(8, 4)
    for name, values in sorted(by_type.items()):
        ax.hist(values, bins=30, histtype="step", label=name)
    ax.set(xlabel="declaration to first unit on scene (min)", ylabel="incidents", title="Response times")
    if by_type:
        ax.legend()
    fig.savefig(path, dpi=90, bbox_inches="tight")


def _plot_incidents(path: Path, records: Sequence[DrillRecords]) -> None:
    fig, ax = _figure(8, 3)
    for r in records:
        hours = [i.declared_s / 3600 for i in r.incidents]
        ax.hist(hours, bins=max(1, math.ceil(r.duration_s / 3600)), range=(0, r.duration_s / 3600),
                histtype="step", label=f"replication {r.replication}")
    ax.set(xlabel="hour of the drill", ylabel="incidents declared", title="Incidents over time")
    fig.savefig(path, dpi=90, bbox_inches="tight")


def _plot_busy(path: Path, records: Sequence[DrillRecords]) -> None:
    fig, ax = _figure(8, 3)
    for r in records:
        changes = sorted([(d.dispatched_s, 1) for d in r.dispatches]
                         + [(d.cleared_s, -1) for d in r.dispatches if d.cleared_s is not None])
        times, busy, level = [0.0], [0], 0
        for at_s, step in changes:
            level += step
            times.append(at_s / 3600)
            busy.append(level)
        ax.step(times, busy, where="post", label=f"replication {r.replication}")
    ax.set(xlabel="hour of the drill", ylabel="units committed to a scene",
           title="Unit utilisation over time (dispatched until cleared)")
    fig.savefig(path, dpi=90, bbox_inches="tight")


def _plot_map(path: Path, records: Sequence[DrillRecords], stations: Sequence[tuple[str, float, float]]) -> None:
    fig, ax = _figure(6, 6)
    first = records[0] if records else None
    if first is not None:
        ax.scatter([i.lon for i in first.incidents], [i.lat for i in first.incidents], s=6, alpha=0.5,
                   label="incidents (replication 0)")
    ax.scatter([s[1] for s in stations], [s[2] for s in stations], marker="^", s=60, c="red", label="stations")
    for name, lon, lat in stations:
        ax.annotate(name, (lon, lat), fontsize=7)
    ax.set(xlabel="longitude", ylabel="latitude", title="Incidents and stations")
    ax.legend()
    fig.savefig(path, dpi=90, bbox_inches="tight")


def write_replay_plot(path: Path, *, simulated_s: Sequence[float], logged_s: Sequence[float]) -> None:
    """Received-to-on-scene distributions of a replayed log, simulated beside logged."""
    fig, ax = _figure(8, 4)
    top = max([*simulated_s, *logged_s, 1.0]) / 60
    bins = [x * top / 40 for x in range(41)]
    ax.hist([s / 60 for s in logged_s], bins=bins, histtype="step", label="logged", density=True)
    ax.hist([s / 60 for s in simulated_s], bins=bins, histtype="step", label="simulated (drill)", density=True)
    ax.set(xlabel="received to first unit on scene (min)", ylabel="share of calls", title="Replayed log")
    ax.legend()
    fig.savefig(path, dpi=90, bbox_inches="tight")
