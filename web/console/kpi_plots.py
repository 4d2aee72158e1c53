"""The KPI page's plots: bars of a period beside its baseline, drawn by matplotlib as SVG.

Figures are built with matplotlib's object API (no pyplot), which keeps no global state, so
two requests can draw at once. Each plot is an SVG image of its own (a data URL): inline SVGs
on one page would share element ids.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

from coordination.performance import KpiComparison

CURRENT_COLOUR, BASELINE_COLOUR = "#14213d", "#9aa5b1"


@dataclass(frozen=True)
class Plot:
    title: str
    alt: str
    data_url: str


def comparison_plot(*, title: str, comparisons: Sequence[KpiComparison], unit: str, current_label: str,
                    baseline_label: str) -> Plot | None:
    """Horizontal bars, one pair per group (current, baseline); None when there is nothing to draw."""
    rows = [c for c in comparisons if c.current is not None or c.baseline is not None][:20]
    if not rows:
        return None
    scale, axis_label = {"s": (1 / 60, "minutes"), "share": (100, "% of tasks")}.get(unit, (1, unit))
    labels = [c.group.replace("_", " ") for c in rows]
    current = [c.current.value * scale if c.current else 0 for c in rows]
    baseline = [c.baseline.value * scale if c.baseline else 0 for c in rows]
    # matplotlib costs about 2 s to load: loaded by the first KPI plot, not at every start.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 0.45 * len(rows) + 1.4), layout="constrained")
    axes = figure.subplots()
    positions = range(len(rows))
    axes.barh([p + 0.2 for p in positions], baseline, height=0.4, color=BASELINE_COLOUR, label=baseline_label)
    axes.barh([p - 0.2 for p in positions], current, height=0.4, color=CURRENT_COLOUR, label=current_label)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlabel(axis_label)
    figure.legend(loc="outside upper center", ncols=2, fontsize=8)  # never over a bar
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    described = "; ".join(f"{label}: {_plain(c, unit)}" for label, c in zip(labels, rows))
    return Plot(title=title, alt=f"{title}. {described}",
                data_url="data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))


def _plain(comparison: KpiComparison, unit: str) -> str:
    def one(row) -> str:
        if row is None:
            return "none"
        return f"{row.value / 60:.1f} min" if unit == "s" else f"{row.value:.0%}" if unit == "share" else f"{row.value:g}"

    return f"{one(comparison.current)} against {one(comparison.baseline)}"
