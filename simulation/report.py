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

import numpy as np

from coordination.dispatch_service import RoadMap
from simulation.intervals import MIN_REPLICATIONS
from simulation.kpi_names import format_interval, kpi_label
from simulation.kpis import KpiSummary
from simulation.records import DrillRecords, columns_of
from simulation.report_summary import breaks_first, headline
from simulation.scenario import Scenario

PLOTS = ("response_times.png", "incidents_over_time.png", "units_busy_over_time.png", "map.png")


def write_report(*, folder: Path, scenario: Scenario, records: Sequence[DrillRecords],
                 summaries: Sequence[KpiSummary], stations: Sequence[tuple[str, float, float]],
                 streets: RoadMap | None = None) -> Path:
    """Write records.json, one CSV per record kind, kpis.csv, the plots and index.html; return the page.

    `streets`: the drill city's road network as the console's map draws it; the map plot is drawn
    over it (without it, on plain axes).
    """
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
        # ci95_low and ci95_high are empty below MIN_REPLICATIONS (too few for an interval).
        writer.writerow(["kpi", "replications", "mean", "ci95_low", "ci95_high", "in_words"])
        for s in summaries:
            writer.writerow([s.name, s.n, s.mean, "" if s.too_few else s.low, "" if s.too_few else s.high,
                             kpi_label(s.name)])
    for name, figure in zip(PLOTS, (plot_responses(records), plot_incidents(records), plot_busy(records),
                                    plot_map(records, stations, streets))):
        figure.savefig(folder / name, dpi=90, bbox_inches="tight")
    page = folder / "index.html"
    page.write_text(_page(scenario, records, summaries), encoding="utf-8")
    return page


def _page(scenario: Scenario, records: Sequence[DrillRecords], summaries: Sequence[KpiSummary]) -> str:
    headline_rows = "\n".join(
        f"<tr><td>{html.escape(row.label)}</td><td>{html.escape(row.value)}</td><td>{html.escape(row.target)}</td></tr>"
        for row in headline(summaries, scenario.targets))
    weakest = "\n".join(f"<li>{html.escape(sentence)}</li>" for sentence in breaks_first(summaries, records, scenario))
    rows = "\n".join(
        f"<tr><td>{html.escape(kpi_label(s.name))}</td><td>{s.n}</td>"
        f"<td>{html.escape(format_interval(s.name, s.n, s.mean, s.low, s.high))}</td>"
        f"<td><code>{html.escape(s.name)}</code></td></tr>" for s in summaries)
    incidents = sum(len(r.incidents) for r in records)
    figures = "\n".join(f'<figure><img src="{name}" alt="{name[:-4].replace("_", " ")}"></figure>' for name in PLOTS)
    tables = " · ".join(f'<a href="{t}.csv">{t}.csv</a>' for t in DrillRecords.TABLES)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill {html.escape(scenario.name)} (exercise)</title>
<style>body{{font-family:sans-serif;max-width:70rem;margin:auto}}td,th{{padding:2px 8px;text-align:left}}
img{{max-width:100%}}.exercise{{background:#fd0;padding:4px}}code{{font-size:85%;color:#555}}
.summary{{border:2px solid #333;padding:0 1rem 1rem}}</style></head>
<body><h1>Drill: {html.escape(scenario.name)}</h1>
<p class="exercise">EXERCISE — every incident in this report is a drill incident, never a live one.</p>
<section class="summary" id="summary"><h2>Summary</h2>
<p>{len(records)} replications of {scenario.duration / 3600:g} h ({incidents} incidents in all),
dispatch policy {html.escape(scenario.dispatch.policy)}. Each value is the mean over replications with
its 95% interval (percentile bootstrap; none from fewer than {MIN_REPLICATIONS} replications).</p>
<table id="headline"><tr><th>Headline</th><th>Drill</th><th>Target</th></tr>
{headline_rows}
</table>
<h3>What breaks first</h3>
<ul id="breaks-first">
{weakest}
</ul></section>
<h2>Detail</h2>
<p>Seed {scenario.seed}, {html.escape(scenario.engine)} world.
Records: <a href="records.json">records.json</a> · {tables} · <a href="kpis.csv">kpis.csv</a></p>
{figures}
<h2>Every KPI (mean over replications, 95% interval)</h2>
<table><tr><th>KPI</th><th>replications</th><th>value</th><th>name in kpis.csv</th></tr>
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


MAX_LINES = 8
"""Replications drawn one line each, with a legend entry each; more are drawn as their mean and
range, so the legend still names every colour."""


def _per_replication(ax, series: Sequence[tuple[int, Sequence[float], Sequence[float]]], *, step: bool) -> None:
    """One line per replication, or, for many, the mean and the range over replications."""
    draw = ax.step if step else ax.plot
    if len(series) <= MAX_LINES:
        for replication, xs, ys in series:
            if step:
                ax.step(xs, ys, where="post", label=f"replication {replication}")
            else:
                ax.plot(xs, ys, label=f"replication {replication}")
        ax.legend(fontsize=7, ncols=2)
        return
    grid = np.linspace(0, max(max(xs, default=0) for _r, xs, _ys in series) or 1, 200)
    values = np.array([np.interp(grid, xs, ys) if len(xs) else np.zeros_like(grid) for _r, xs, ys in series])
    ax.fill_between(grid, values.min(axis=0), values.max(axis=0), alpha=0.3, label="range over replications")
    draw(grid, values.mean(axis=0), label=f"mean of {len(series)} replications")
    ax.legend(fontsize=7)


def plot_responses(records: Sequence[DrillRecords]):
    """Response times per incident type: one outline per type, each in the legend."""
    by_type: dict[str, list[float]] = {}
    for r in records:
        for i in r.incidents:
            if i.response_s is not None:
                by_type.setdefault(i.incident_type, []).append(i.response_s / 60)
    fig, ax = _figure(8, 4)
    for name, values in sorted(by_type.items()):
        ax.hist(values, bins=30, histtype="step", label=name.replace("_", " "))
    ax.set(xlabel="declaration to first unit on scene (min)", ylabel="incidents", title="Response times")
    if by_type:
        ax.legend()
    return fig


def plot_incidents(records: Sequence[DrillRecords]):
    """Incidents declared per hour of the drill, per replication."""
    fig, ax = _figure(8, 3)
    series = []
    for r in records:
        hours = max(1, math.ceil(r.duration_s / 3600))
        counts, edges = np.histogram([i.declared_s / 3600 for i in r.incidents], bins=hours, range=(0, hours))
        series.append((r.replication, list(edges), [*counts, counts[-1] if len(counts) else 0]))
    _per_replication(ax, series, step=True)
    ax.set(xlabel="hour of the drill", ylabel="incidents declared", title="Incidents over time")
    return fig


def plot_busy(records: Sequence[DrillRecords]):
    """Units committed to a scene over time, per replication."""
    fig, ax = _figure(8, 3)
    series = []
    for r in records:
        changes = sorted([(d.dispatched_s, 1) for d in r.dispatches]
                         + [(d.cleared_s, -1) for d in r.dispatches if d.cleared_s is not None])
        times, busy, level = [0.0], [0], 0
        for at_s, step in changes:
            level += step
            times.append(at_s / 3600)
            busy.append(level)
        series.append((r.replication, times, busy))
    _per_replication(ax, series, step=True)
    ax.set(xlabel="hour of the drill", ylabel="units committed to a scene",
           title="Unit utilisation over time (dispatched until cleared)")
    return fig


STREET_STYLE = {0: ("#d1603d", 1.6), 1: ("#e0a84e", 1.3), 2: ("#a3abb5", 1.0), 3: ("#b3bac2", 0.8), 4: ("#c6ccd3", 0.5)}
"""Colour and width per road class rank (`RoadMap.ranks`), as the console's map draws them."""


def plot_map(records: Sequence[DrillRecords], stations: Sequence[tuple[str, float, float]],
             streets: RoadMap | None = None):
    """Where the first replication's incidents happened and the stations, over the city's streets."""
    from matplotlib.collections import LineCollection

    fig, ax = _figure(6, 6)
    if streets is not None and len(streets.ends):
        # Minor streets first, so the arterials are drawn over them; one legend entry for all.
        label = "streets (dispatch network)"
        for rank in sorted(STREET_STYLE, reverse=True):
            segments = streets.ends[streets.ranks == rank].reshape(-1, 2, 2)
            if len(segments):
                colour, width = STREET_STYLE[rank]
                ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, zorder=1, label=label))
                label = "_streets"
        west, south, east, north = streets.bounds
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        # Degrees of longitude are shorter than degrees of latitude away from the equator.
        ax.set_aspect(1 / max(math.cos(math.radians((south + north) / 2)), 0.01))
    first = records[0] if records else None
    if first is not None:
        ax.scatter([i.lon for i in first.incidents], [i.lat for i in first.incidents], s=6, alpha=0.6,
                   label="incidents (replication 0)", zorder=3)
    ax.scatter([s[1] for s in stations], [s[2] for s in stations], marker="^", s=60, c="red", label="stations",
               zorder=4)
    for name, lon, lat in stations:
        ax.annotate(name, (lon, lat), fontsize=7, zorder=5)
    ax.set(xlabel="longitude", ylabel="latitude", title="Incidents and stations")
    ax.ticklabel_format(useOffset=False)  # whole degrees on the axes, not "+7.759e1"
    ax.legend()
    return fig


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
