"""The command centre's performance: KPIs per agency and per incident type, from plain facts.

Pure: the facts come from the live database (`coordination.performance_queries`) or from a
drill's records (`simulation.centre_kpis`), so a period of real work and a drill's prediction
are measured by the very same rules and can be set side by side.

- acknowledgement and completion times: from the task's creation (mean, p50, p90);
- deadline compliance: the share of tasks acknowledged (completed) by their deadline, among
  tasks whose outcome is known (answered, or the deadline passed before the task ended);
- escalations: how many, and per 100 tasks;
- dispatch response: from declaration to the first unit accepted (dispatched), and to the
  first unit on scene; per incident type the incident's first unit, per agency its own first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

SECTIONS = ("centre", "agency", "incident type")


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    unit: str
    """`s` (seconds), `share` (0 to 1) or `count`."""


MEASURES = (
    Measure("tasks", "tasks", "count"),
    Measure("ack_s.mean", "acknowledgement, mean", "s"),
    Measure("ack_s.p50", "acknowledgement, p50", "s"),
    Measure("ack_s.p90", "acknowledgement, p90", "s"),
    Measure("complete_s.mean", "completion, mean", "s"),
    Measure("complete_s.p50", "completion, p50", "s"),
    Measure("complete_s.p90", "completion, p90", "s"),
    Measure("ack_in_time.share", "acknowledged in time", "share"),
    Measure("complete_in_time.share", "completed in time", "share"),
    Measure("escalations", "escalations", "count"),
    Measure("escalations.per_100_tasks", "escalations per 100 tasks", "count"),
    Measure("dispatched_s.mean", "declaration to unit dispatched, mean", "s"),
    Measure("dispatched_s.p50", "declaration to unit dispatched, p50", "s"),
    Measure("dispatched_s.p90", "declaration to unit dispatched, p90", "s"),
    Measure("on_scene_s.mean", "declaration to unit on scene, mean", "s"),
    Measure("on_scene_s.p50", "declaration to unit on scene, p50", "s"),
    Measure("on_scene_s.p90", "declaration to unit on scene, p90", "s"),
)
MEASURE_BY_NAME = {measure.name: measure for measure in MEASURES}
_ORDER = {measure.name: index for index, measure in enumerate(MEASURES)}


@dataclass(frozen=True)
class TaskFact:
    agency: str
    incident_type: str
    created_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    complete_due_at: datetime
    completed_at: datetime | None
    ended_at: datetime | None = None
    """When a rejected or cancelled task stopped: a deadline after that was never missed."""


@dataclass(frozen=True)
class EscalationFact:
    incident_type: str
    agency: str | None
    """The agency whose task escalated; None for a decision or an approval nobody took."""


@dataclass(frozen=True)
class ResponseFact:
    """One agency's units at one incident: when the first was dispatched and first on scene."""

    incident: str
    incident_type: str
    agency: str | None
    declared_at: datetime
    dispatched_at: datetime | None
    on_scene_at: datetime | None


@dataclass(frozen=True)
class KpiRow:
    section: str
    group: str
    measure: str
    value: float
    n: int
    """How many observations the value rests on."""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.section, self.group, self.measure


def performance_table(*, tasks: Iterable[TaskFact], escalations: Iterable[EscalationFact],
                      responses: Iterable[ResponseFact], now: datetime, runs: int = 1) -> list[KpiRow]:
    """Every KPI of the centre, of each agency and of each incident type.

    Args:
        tasks, escalations, responses: the facts of one period (or of a drill's replications).
        now: deadlines not yet passed at `now` leave their task out of compliance.
        runs: counts (tasks, escalations) are divided by it: a drill's replications pooled
            count as one.
    """
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)

    def groups_of(agency: str | None, incident_type: str) -> list[_Group]:
        chosen = [groups["centre", "all"], groups["incident type", incident_type]]
        if agency is not None:
            chosen.append(groups["agency", agency])
        return chosen

    for task in tasks:
        acknowledged = _outcome(task.acknowledged_at, task.ack_due_at, task.ended_at, now)
        completed = _outcome(task.completed_at, task.complete_due_at, task.ended_at, now)
        for group in groups_of(task.agency, task.incident_type):
            group.tasks += 1
            if task.acknowledged_at is not None:
                group.ack_s.append((task.acknowledged_at - task.created_at).total_seconds())
            if task.completed_at is not None:
                group.complete_s.append((task.completed_at - task.created_at).total_seconds())
            if acknowledged is not None:
                group.ack_in_time.append(acknowledged)
            if completed is not None:
                group.complete_in_time.append(completed)
    for escalation in escalations:
        for group in groups_of(escalation.agency, escalation.incident_type):
            group.escalations += 1
    for (section, group_name), seconds in _response_seconds(responses).items():
        groups[section, group_name].dispatched_s.extend(seconds[0])
        groups[section, group_name].on_scene_s.extend(seconds[1])
    rows = []
    for (section, group_name), group in groups.items():
        rows.extend(KpiRow(section, group_name, measure, value, n) for measure, value, n in group.kpis(runs))
    return sorted(rows, key=lambda row: (SECTIONS.index(row.section), row.group, _ORDER[row.measure]))


def _outcome(done_at: datetime | None, due_at: datetime, ended_at: datetime | None, now: datetime) -> bool | None:
    """In time, late, or not known yet (not done, and the deadline still ahead)."""
    if done_at is not None:
        return done_at <= due_at
    return False if due_at <= (ended_at or now) else None


def _response_seconds(responses: Iterable[ResponseFact]) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
    firsts: dict[str, list[ResponseFact]] = defaultdict(list)
    out: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))

    def add(key: tuple[str, str], declared_at: datetime, dispatched: datetime | None, on_scene: datetime | None):
        if dispatched is not None:
            out[key][0].append((dispatched - declared_at).total_seconds())
        if on_scene is not None:
            out[key][1].append((on_scene - declared_at).total_seconds())

    for response in responses:
        firsts[response.incident].append(response)
        if response.agency is not None:
            add(("agency", response.agency), response.declared_at, response.dispatched_at, response.on_scene_at)
    for facts in firsts.values():
        dispatched = min((f.dispatched_at for f in facts if f.dispatched_at is not None), default=None)
        on_scene = min((f.on_scene_at for f in facts if f.on_scene_at is not None), default=None)
        for key in (("centre", "all"), ("incident type", facts[0].incident_type)):
            add(key, facts[0].declared_at, dispatched, on_scene)
    return out


class _Group:
    def __init__(self) -> None:
        self.tasks = self.escalations = 0
        self.ack_s: list[float] = []
        self.complete_s: list[float] = []
        self.ack_in_time: list[bool] = []
        self.complete_in_time: list[bool] = []
        self.dispatched_s: list[float] = []
        self.on_scene_s: list[float] = []

    def kpis(self, runs: int) -> list[tuple[str, float, int]]:
        rows: list[tuple[str, float, int]] = []
        if self.tasks:
            rows.append(("tasks", self.tasks / runs, self.tasks))
        for name, values in (("ack_s", self.ack_s), ("complete_s", self.complete_s),
                             ("dispatched_s", self.dispatched_s), ("on_scene_s", self.on_scene_s)):
            rows.extend(_times(name, values))
        for name, flags in (("ack_in_time.share", self.ack_in_time), ("complete_in_time.share", self.complete_in_time)):
            if flags:
                rows.append((name, float(np.mean(flags)), len(flags)))
        if self.tasks or self.escalations:
            rows.append(("escalations", self.escalations / runs, self.escalations))
        if self.tasks:
            rows.append(("escalations.per_100_tasks", 100 * self.escalations / self.tasks, self.tasks))
        return rows


def _times(name: str, values: Sequence[float]) -> list[tuple[str, float, int]]:
    if not values:
        return []
    array = np.asarray(values, dtype=float)
    return [(f"{name}.mean", float(array.mean()), len(array)),
            (f"{name}.p50", float(np.percentile(array, 50)), len(array)),
            (f"{name}.p90", float(np.percentile(array, 90)), len(array))]


@dataclass(frozen=True)
class KpiComparison:
    """One KPI of the chosen period beside its baseline (the previous period or a drill)."""

    section: str
    group: str
    measure: str
    current: KpiRow | None
    baseline: KpiRow | None

    @property
    def change(self) -> float | None:
        """Current minus baseline; None when either is missing."""
        if self.current is None or self.baseline is None:
            return None
        return self.current.value - self.baseline.value

    @property
    def better(self) -> bool | None:
        """Whether the change is an improvement: less time, fewer escalations, more compliance."""
        change = self.change
        if change is None or math.isclose(change, 0.0, abs_tol=1e-9) or self.measure == "tasks":
            return None
        return change > 0 if self.measure.endswith(".share") else change < 0


def compare_tables(current: Sequence[KpiRow], baseline: Sequence[KpiRow]) -> list[KpiComparison]:
    """Pair the two tables' rows by section, group and measure (a row missing on one side stays)."""
    mine = {row.key: row for row in current}
    theirs = {row.key: row for row in baseline}
    keys = sorted(set(mine) | set(theirs), key=lambda k: (SECTIONS.index(k[0]), k[1], _ORDER[k[2]]))
    return [KpiComparison(*key, mine.get(key), theirs.get(key)) for key in keys]


def rows_to_json(rows: Sequence[KpiRow]) -> list[dict]:
    return [{"section": r.section, "group": r.group, "measure": r.measure, "value": r.value, "n": r.n} for r in rows]


def rows_from_json(data: Sequence[dict]) -> list[KpiRow]:
    return [KpiRow(d["section"], d["group"], d["measure"], float(d["value"]), int(d["n"])) for d in data]
