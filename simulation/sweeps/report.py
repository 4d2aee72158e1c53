"""The sweep's HTML report: a page a planner can mail as it is (no script, no CDN).

It says, in this order: the cheapest variant that meets the targets (or that none does), what
each added unit buys, and each chosen KPI per variant with its 95% interval.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from simulation.sweeps.analysis import SweepAnalysis, amount, gain_sentence
from simulation.sweeps.spec import LoadedSweep, Target
from simulation.sweeps.variants import Variant

PAGE = "index.html"


def _target_text(target: Target) -> str:
    parts = []
    if target.at_most is not None:
        parts.append(f"at most {amount(target.kpi, target.at_most)}")
    if target.at_least is not None:
        parts.append(f"at least {amount(target.kpi, target.at_least)}")
    if target.precision is not None:
        parts.append(f"known to ± {amount(target.kpi, target.precision)}")
    return f"{target.kpi}: {', '.join(parts)}"


def verdict(loaded: LoadedSweep, variants: list[Variant], analysis: SweepAnalysis) -> str:
    """The cheapest variant that meets the targets under each condition, or why there is none."""
    if not analysis.cheapest:
        return "The sweep sets no bound on a KPI, so no variant is chosen."
    sentences = []
    for condition, number in analysis.cheapest.items():
        under = f"With {condition}: " if condition else ""
        if number is None:
            sentences.append(f"{under}No variant meets every target with 95% confidence (a variant with fewer "
                             "than five replications has no interval, so it cannot).")
        else:
            variant = variants[number]
            sentences.append(f"{under}Cheapest variant meeting every target: #{variant.number} ({variant.choice}), "
                             f"cost {analysis.costs[variant.number]:g}.")
    return " ".join(sentences)


def write_sweep_report(*, folder: Path, loaded: LoadedSweep, variants: list[Variant], analysis: SweepAnalysis,
                       replications: int, from_cache: int) -> Path:
    """Write index.html into `folder` (beside sweep.parquet and sweep.csv); return its path."""
    def cell(variant: Variant, kpi: str) -> str:
        interval = analysis.summaries[(variant.number, kpi)]
        if interval.n == 0:
            return "<td>–</td>"
        spread = "" if math.isnan(interval.low) else \
            f"<br><small>{amount(kpi, interval.low)} – {amount(kpi, interval.high)}</small>"
        checks = [c for c in analysis.checks if c.variant == variant.number and c.target.kpi == kpi]
        mark = "" if not checks else (' class="met"' if all(c.met for c in checks) else ' class="missed"')
        return f"<td{mark}>{amount(kpi, interval.mean)}{spread}</td>"

    head = "".join(f"<th>{html.escape(kpi)}</th>" for kpi in analysis.kpis)
    rows = "\n".join(
        f"<tr{' class=chosen' if v.number in analysis.cheapest.values() else ''}><td>#{v.number}</td>"
        f"<td>{html.escape(v.label)}</td><td>{analysis.costs[v.number]:g}</td>"
        f"<td>{analysis.summaries[(v.number, analysis.kpis[0])].n}</td>"
        + "".join(cell(v, kpi) for kpi in analysis.kpis) + "</tr>" for v in variants)
    gains = "\n".join(f"<li>{html.escape(gain_sentence(g))} <small>(with {html.escape(g.others)})</small></li>"
                      for g in analysis.gains if g.cut.n > 0) or "<li>The sweep varies no fleet count.</li>"
    targets = "\n".join(f"<li>{html.escape(_target_text(t))}</li>" for t in loaded.sweep.targets) or "<li>none</li>"
    meeting = "\n".join(
        f"<tr><td>#{c.variant}</td><td>{html.escape(c.target.kpi)}</td><td>{'yes' if c.met else 'no'}</td>"
        f"<td>{c.replications_meeting.mean:.0%} ({c.replications_meeting.low:.0%} – {c.replications_meeting.high:.0%})"
        f"</td></tr>" for c in analysis.checks if not math.isnan(c.replications_meeting.mean))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep {html.escape(loaded.sweep.name)} (exercise)</title>
<style>body{{font-family:sans-serif;max-width:80rem;margin:auto}}td,th{{padding:2px 8px;text-align:right;vertical-align:top}}
td:nth-child(2){{text-align:left}}.exercise{{background:#fd0;padding:4px}}.met{{background:#dfd}}.missed{{background:#fdd}}
tr.chosen td{{font-weight:bold}}small{{color:#555}}</style></head>
<body><h1>Sweep: {html.escape(loaded.sweep.name)}</h1>
<p class="exercise">EXERCISE — every incident behind these numbers is a drill incident, never a live one.</p>
<p>Base scenario {html.escape(loaded.base.name)} ({loaded.base.duration / 3600:g} h), seed {loaded.seed};
{len(variants)} variants, {replications} replications in all ({from_cache} read from the cache).
Table: <a href="sweep.parquet">sweep.parquet</a> · <a href="sweep.csv">sweep.csv</a></p>
<h2>Verdict</h2><p><strong>{html.escape(verdict(loaded, variants, analysis))}</strong></p>
<h3>Targets</h3><ul>{targets}</ul>
<h2>What each added unit buys</h2>
<p>Paired by replication (every variant draws the same seeds), the KPI with one unit fewer minus with it.</p>
<ul>{gains}</ul>
<h2>KPIs per variant</h2>
<p>Mean over replications; below it the 95% percentile-bootstrap interval, which never leaves the values seen.
Green: the whole interval meets the target; red: it does not.</p>
<table><tr><th>#</th><th>variant</th><th>cost</th><th>n</th>{head}</tr>
{rows}
</table>
<h2>Replications meeting each target</h2>
<p>Share of replications whose own value met the bound, with Wilson's 95% interval.</p>
<table><tr><th>#</th><th>KPI</th><th>interval within</th><th>replications meeting</th></tr>
{meeting}
</table></body></html>
"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PAGE
    path.write_text(page, encoding="utf-8")
    return path
