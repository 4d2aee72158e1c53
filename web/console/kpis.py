"""The KPI page for the head of the centre: how the centre performed over a chosen period, per
agency and per incident type, beside the previous period of the same length or beside a
drill's prediction, with plots and a CSV export of the table.

Open to administrators, duty officers, viewers (the head of the centre's wall screen) and
planners (who set drills against reality). It shows aggregates only: no incident, task or
reporter appears, so no agency's work is exposed beyond its own totals; agency users have
their task page instead.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, Response, render_template, request

from coordination import InvalidInput, Role
from coordination.drill_runs import recent_drill_runs
from coordination.performance import (
    MEASURE_BY_NAME,
    KpiComparison,
    KpiRow,
    compare_tables,
    rows_from_json,
)
from coordination.performance_queries import Period, live_performance
from coordination.queries.drills import find_drill_run
from web.app.context import services
from web.console.access import console_caller, csrf_token
from web.console.kpi_plots import comparison_plot
from web.console.nav import EVERY_OFFICER

blueprint = Blueprint("kpi_console", __name__)

KPI_ROLES = EVERY_OFFICER | {Role.PLANNER}
DEFAULT_DAYS = 7
PLOTTED = (("agency", "ack_s.p90", "Acknowledgement, p90, by agency"),
           ("agency", "ack_in_time.share", "Acknowledged in time, by agency"),
           ("incident type", "on_scene_s.p90", "Declaration to first unit on scene, p90, by incident type"),
           ("incident type", "complete_s.p50", "Completion, p50, by incident type"))


class KpiQuery:
    """The page's form, read and checked: a period (whole UTC days) and a baseline."""

    def __init__(self, args, today: date):
        self.errors: dict[str, str] = {}
        self.to_text = args.get("to", "").strip() or today.isoformat()
        default_from = (date.fromisoformat(self.to_text) - timedelta(days=DEFAULT_DAYS - 1)).isoformat() \
            if _is_date(self.to_text) else (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        self.from_text = args.get("from", "").strip() or default_from
        self.against = args.get("against", "").strip() or "previous"
        first, last = self._date("from", self.from_text), self._date("to", self.to_text)
        self.period: Period | None = None
        if first and last:
            try:
                self.period = Period(_midnight(first), _midnight(last + timedelta(days=1)))
            except InvalidInput as problem:
                self.errors[problem.field or "from"] = str(problem)
        self.drill_id: uuid.UUID | None = None
        if self.against != "previous":
            try:
                self.drill_id = uuid.UUID(self.against)
            except ValueError:
                self.errors["against"] = "compare with the previous period or a finished drill run"

    def _date(self, field: str, text: str) -> date | None:
        if not _is_date(text):
            self.errors[field] = "a date is written YYYY-MM-DD"
            return None
        return date.fromisoformat(text)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def _table(query: KpiQuery):
    """The comparison rows, the baseline's name and the finished drills to choose from."""
    context = services()
    now = context.clock.now()
    with context.store.transaction() as db:
        drills = [run for run in recent_drill_runs(session=db, clock=context.clock) if run.status == "done"]
        if query.errors or query.period is None:
            return [], "", drills
        current = live_performance(session=db, period=query.period, now=now)
        if query.drill_id is None:
            previous = query.period.previous()
            baseline = live_performance(session=db, period=previous, now=now)
            label = f"previous period ({previous.start:%Y-%m-%d} to {previous.end - timedelta(days=1):%Y-%m-%d})"
        else:
            run = find_drill_run(db, query.drill_id)
            if run is None or run.status != "done" or not run.kpis:
                query.errors["against"] = "that drill run is not finished (or does not exist)"
                return [], "", drills
            baseline = rows_from_json(run.kpis.get("centre", []))
            label = f"drill {run.scenario_name} (seed {run.seed}, {run.replications} replications)"
    return compare_tables(current, baseline), label, drills


@blueprint.get("/console/kpis")
def kpis_page():
    caller = console_caller(KPI_ROLES)
    query = KpiQuery(request.args, services().clock.now().date())
    comparisons, baseline_label, drills = _table(query)
    plots = []
    for section, measure, title in PLOTTED:
        chosen = [c for c in comparisons if c.section == section and c.measure == measure]
        plot = comparison_plot(title=title, comparisons=chosen, unit=MEASURE_BY_NAME[measure].unit,
                               current_label="this period", baseline_label=baseline_label.split(" (")[0])
        if plot is not None:
            plots.append(plot)
    groups: dict[tuple[str, str], list[KpiComparison]] = {}
    for comparison in comparisons:
        groups.setdefault((comparison.section, comparison.group), []).append(comparison)
    page = render_template("kpis.html", caller=caller, csrf_token=csrf_token(), query=query, groups=groups,
                           baseline_label=baseline_label, drills=drills, plots=plots, measures=MEASURE_BY_NAME,
                           value=format_value, change=format_change)
    return page, (422 if query.errors else 200)


@blueprint.get("/console/kpis.csv")
def kpis_csv():
    console_caller(KPI_ROLES)
    query = KpiQuery(request.args, services().clock.now().date())
    comparisons, baseline_label, _drills = _table(query)
    if query.errors:
        return Response("\n".join(f"{field}: {message}" for field, message in query.errors.items()) + "\n",
                        status=422, mimetype="text/plain")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "group", "measure", "label", "unit", "period", "period_n", "baseline", "baseline_n",
                     "change", "baseline_is"])
    for c in comparisons:
        measure = MEASURE_BY_NAME[c.measure]
        writer.writerow([c.section, c.group, c.measure, measure.label, measure.unit,
                         _raw(c.current), c.current.n if c.current else 0, _raw(c.baseline),
                         c.baseline.n if c.baseline else 0, "" if c.change is None else round(c.change, 6),
                         baseline_label])
    name = f"kpis-{query.from_text}-to-{query.to_text}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _raw(row: KpiRow | None) -> str | float:
    return "" if row is None else round(row.value, 6)


def format_value(row: KpiRow | None, unit: str) -> str:
    if row is None:
        return "–"
    if unit == "s":
        return _duration(row.value)
    if unit == "share":
        return f"{row.value:.0%}"
    return f"{row.value:g}"


def format_change(comparison: KpiComparison, unit: str) -> str:
    change = comparison.change
    if change is None:
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if unit == "s":
        return sign + _duration(abs(change))
    if unit == "share":
        return f"{sign}{abs(change) * 100:.0f} pts"
    return f"{sign}{abs(change):g}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
