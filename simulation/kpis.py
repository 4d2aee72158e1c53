"""Key performance indicators of a drill, per replication and across replications with
confidence intervals (the percentile bootstrap of the replication means, `simulation.intervals`:
replications are independent, and no interval is given from fewer than `MIN_REPLICATIONS`).

Names read `measure | group`, e.g. `response_s.p90 | road_accident/severe`;
`simulation.kpi_names` says them in words.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulation.intervals import CONFIDENCE, MIN_REPLICATIONS, bootstrap_interval
from simulation.records import DrillRecords


def replication_kpis(records: DrillRecords) -> dict[str, float]:
    """Every KPI of one replication. A KPI with no data (no fire happened) is left out."""
    kpis: dict[str, float] = {"incidents": float(len(records.incidents))}
    responses: dict[str, list[float]] = defaultdict(list)
    for incident in records.incidents:
        if incident.response_s is not None:
            responses[f"{incident.incident_type}/{incident.severity}"].append(incident.response_s)
            responses["all"].append(incident.response_s)
    for group, values in sorted(responses.items()):
        array = np.array(values)
        kpis[f"response_s.mean | {group}"] = float(array.mean())
        for q in (50, 90, 95):
            kpis[f"response_s.p{q} | {group}"] = float(np.percentile(array, q))
    closing = [i.resolved_s - i.declared_s for i in records.incidents if i.resolved_s is not None]
    if closing:
        kpis["time_to_close_s.mean | all"] = float(np.mean(closing))
    kpis["incidents_open_at_end | all"] = float(sum(i.status == "open" for i in records.incidents))
    compliance: dict[str, list[bool]] = defaultdict(list)
    for task in records.tasks:
        compliance[f"ack_in_time.share | {task.agency}/{task.step}"].append(task.ack_in_time)
        compliance[f"complete_in_time.share | {task.agency}/{task.step}"].append(task.complete_in_time)
        compliance[f"ack_in_time.share | {task.agency}"].append(task.ack_in_time)
        compliance["ack_in_time.share | all"].append(task.ack_in_time)
        compliance["complete_in_time.share | all"].append(task.complete_in_time)
    for name, flags in sorted(compliance.items()):
        kpis[name] = float(np.mean(flags))
    kpis["escalations | all"] = float(len(records.escalations))
    for target in sorted({e.target for e in records.escalations}):
        kpis[f"escalations | {target}"] = float(sum(e.target == target for e in records.escalations))
    busy: dict[str, list[float]] = defaultdict(list)
    for unit in records.units:
        busy[unit.unit_type].append(unit.busy_s / records.duration_s)
        busy["all"].append(unit.busy_s / records.duration_s)
    for group, shares in sorted(busy.items()):
        kpis[f"utilisation | {group}"] = float(np.mean(shares))
    kpis["unserved_units | all"] = float(sum(u.count for u in records.unserved))
    kpis["unserved_incidents | all"] = float(len({u.incident for u in records.unserved}))
    kpis.update(device_kpis(records))
    kpis.update(rule_kpis(records))
    return kpis


def device_kpis(records: DrillRecords) -> dict[str, float]:
    """Commands sent, confirmed, failed and never answered, time to confirm and the share confirmed
    by the step's deadline, per device kind and for all; nothing when no command was sent."""
    kpis: dict[str, float] = {}
    groups: dict[str, list] = defaultdict(list)
    for command in records.commands:
        groups[command.device_kind].append(command)
        groups["all"].append(command)
    for group, commands in sorted(groups.items()):
        kpis[f"commands | {group}"] = float(len(commands))
        for status, name in (("confirmed", "commands_confirmed"), ("failed", "commands_failed"),
                             ("sent", "commands_unanswered")):
            kpis[f"{name} | {group}"] = float(sum(c.status == status for c in commands))
        kpis[f"command_confirmed_in_time.share | {group}"] = float(np.mean([c.confirmed_in_time for c in commands]))
        confirm = [c.confirm_s for c in commands if c.confirm_s is not None]
        if confirm:
            kpis[f"command_confirm_s.mean | {group}"] = float(np.mean(confirm))
            kpis[f"command_confirm_s.p90 | {group}"] = float(np.percentile(confirm, 90))
    return kpis


def rule_kpis(records: DrillRecords) -> dict[str, float]:
    """Trigger rules raised (per rule version and for all) and the incidents they declared."""
    raised = [firing for firing in records.rule_firings if firing.outcome == "raised"]
    if not records.rule_firings:
        return {}
    kpis = {"rule_firings | all": float(len(raised)),
            "rule_declarations | all": float(sum(firing.result == "declared" for firing in raised))}
    for rule in sorted({firing.rule for firing in records.rule_firings}):
        kpis[f"rule_firings | {rule}"] = float(sum(firing.rule == rule for firing in raised))
    return kpis


@dataclass(frozen=True)
class KpiSummary:
    """A KPI across replications: its mean and 95% interval (`low`, `high`: nan when there are
    fewer than `MIN_REPLICATIONS` replications, which a report says in words)."""

    name: str
    n: int
    mean: float
    low: float
    high: float

    @property
    def too_few(self) -> bool:
        return self.n < MIN_REPLICATIONS

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Mean and half-width of the Student t confidence interval of `values`: for many values of
    an unbounded quantity (the Erlang check's waits), never for a drill's few replications."""
    array = np.asarray(values, dtype=float)
    if len(array) == 0:
        return math.nan, math.nan
    if len(array) < 2:
        return float(array.mean()), math.nan
    from scipy import stats  # here, not at import: scipy.stats cost every `iccc` command 0.2 s

    sem = float(array.std(ddof=1)) / math.sqrt(len(array))
    return float(array.mean()), float(stats.t.ppf((1 + confidence) / 2, len(array) - 1) * sem)


def summarise(per_replication: Sequence[dict[str, float]]) -> list[KpiSummary]:
    """Each KPI's mean and CI over the replications that have it, in name order."""
    names = sorted({name for kpis in per_replication for name in kpis})
    summaries = []
    for name in names:
        values = [kpis[name] for kpis in per_replication if name in kpis]
        interval = bootstrap_interval(values)
        summaries.append(KpiSummary(name, interval.n, interval.mean, interval.low, interval.high))
    return summaries


@dataclass(frozen=True)
class KpiDifference:
    """B minus A for one KPI, paired by replication (both arms use the same seeds). An arm that
    never reports the KPI (SOP set B has no such step) is None, and so is the difference."""

    name: str
    a: KpiSummary | None
    b: KpiSummary | None
    difference: KpiSummary


def compare(a: Sequence[dict[str, float]], b: Sequence[dict[str, float]]) -> list[KpiDifference]:
    """Paired differences of every KPI both arms report: common random numbers make the
    interval of the difference much narrower than the two intervals side by side."""
    summary_a = {s.name: s for s in summarise(a)}
    summary_b = {s.name: s for s in summarise(b)}
    rows = []
    for name in sorted(set(summary_a) | set(summary_b)):
        pairs = [(x[name], y[name]) for x, y in zip(a, b) if name in x and name in y]
        interval = bootstrap_interval([y - x for x, y in pairs])
        difference = KpiSummary(name, interval.n, interval.mean, interval.low, interval.high)
        rows.append(KpiDifference(name, summary_a.get(name), summary_b.get(name), difference))
    return rows
