"""A sensor's recent readings as a line, drawn by matplotlib as SVG (as the KPI plots are), with
the active rules' marks drawn across it."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from web.console.kpi_plots import Plot

LINE_COLOUR, MARK_COLOUR = "#14213d", "#c1121f"


def readings_plot(*, title: str, readings: Sequence, unit: str,
                  marks: Sequence[tuple[str, float]] = ()) -> Plot | None:
    """Readings (oldest first) as a line with a marker per reading; None when there are none."""
    if not readings:
        return None
    # matplotlib costs about 2 s to load: loaded by the first plot, not at every start.
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 2.8), layout="constrained")
    axes = figure.subplots()
    times = [reading.observed_at for reading in readings]
    values = [reading.value for reading in readings]
    axes.plot(times, values, color=LINE_COLOUR, marker="o", markersize=2.5, linewidth=1.2, label="reading")
    for label, level in marks:
        axes.axhline(level, color=MARK_COLOUR, linestyle="--", linewidth=0.9)
        axes.annotate(label, (times[0], level), textcoords="offset points", xytext=(2, 2), fontsize=7,
                      color=MARK_COLOUR)
    axes.set_ylabel(unit or "on (1) / off (0)")
    axes.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=times[0].tzinfo))
    axes.set_xlabel("UTC")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    low, high = min(values), max(values)
    alt = (f"{title}: {len(values)} readings from {times[0]:%H:%M} to {times[-1]:%H:%M} UTC, between {low:g} and "
           f"{high:g} {unit}, the last {values[-1]:g} {unit}")
    return Plot(title=title, alt=alt,
                data_url="data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
