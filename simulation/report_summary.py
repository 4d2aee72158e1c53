"""The first screen of a drill report: the headline KPIs with units and targets, and what breaks
first (the agency, the SOP step and the hour of the day under most strain), in sentences a
planner can put on a slide."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import yaml

from simulation.kpi_names import format_interval, format_value, kpi_label, measure_of
from simulation.kpis import KpiSummary
from simulation.records import DrillRecords
from simulation.scenario import Scenario, Targets

HEADLINE = ("response_s.mean | all", "response_s.p90 | all", "ack_in_time.share | all",
            "complete_in_time.share | all", "escalations | all", "unserved_units | all", "utilisation | all",
            "rule_declarations | all", "command_confirmed_in_time.share | all", "command_confirm_s.mean | all")
"""The KPIs on a report's first screen, in this order (those a drill has: the last three only with
readings or devices)."""


@dataclass(frozen=True)
class HeadlineRow:
    name: str
    label: str
    value: str
    target: str


def _target(name: str, targets: Targets) -> str:
    """The scenario's own target for a response time, or the one the measure implies."""
    own = {"response_s.mean | all": targets.response_mean, "response_s.p90 | all": targets.response_p90}
    if name in own:
        value = own[name]
        return f"at most {format_value(name, value)}" if value is not None else "none set (targets: in the scenario)"
    return measure_of(name).target or "–"


def headline(summaries: Sequence[KpiSummary], targets: Targets) -> list[HeadlineRow]:
    """The headline KPIs a drill has, with their unit, interval and target (the scenario's `targets`)."""
    by_name = {s.name: s for s in summaries}
    return [HeadlineRow(name, kpi_label(name), format_interval(name, s.n, s.mean, s.low, s.high),
                        _target(name, targets))
            for name in HEADLINE if (s := by_name.get(name)) is not None]


def targets_of(scenario_text: str) -> Targets:
    """The targets written in a scenario that ran (its text as kept with the run)."""
    data = yaml.safe_load(scenario_text)
    return Targets.model_validate((data or {}).get("targets") or {}) if isinstance(data, dict) else Targets()


def _lowest(summaries: Sequence[KpiSummary], prefix: str, *, with_step: bool) -> KpiSummary | None:
    rows = [s for s in summaries if s.name.startswith(prefix) and not s.name.endswith("| all")
            and ("/" in s.name.partition(" | ")[2]) == with_step and not math.isnan(s.mean)]
    return min(rows, key=lambda s: (s.mean, s.name), default=None)


def _strained_hour(records: Sequence[DrillRecords]) -> tuple[int, int] | None:
    """The hour of the drill with the most escalations and unserved unit requests (summed over
    replications), and that number; None when there were none."""
    strain: Counter[int] = Counter()
    for replication in records:
        for escalation in replication.escalations:
            strain[int(escalation.raised_s // 3600)] += 1
        for unserved in replication.unserved:
            strain[int(unserved.requested_s // 3600)] += unserved.count
    if not strain:
        return None
    hour, count = min(strain.items(), key=lambda item: (-item[1], item[0]))
    return hour, count


def breaks_first(summaries: Sequence[KpiSummary], records: Sequence[DrillRecords], scenario: Scenario) -> list[str]:
    """Sentences naming the weakest agency, the weakest step and the most strained hour."""
    said = []
    agency = _lowest(summaries, "ack_in_time.share | ", with_step=False)
    if agency is not None and agency.mean < 1:
        said.append(f"Agency: {agency.name.partition(' | ')[2]} acknowledges the fewest tasks within the "
                    f"SOP's deadline: {format_value(agency.name, agency.mean)}.")
    step = _lowest(summaries, "complete_in_time.share | ", with_step=True)
    if step is not None and step.mean < 1:
        agency_code, _, step_id = step.name.partition(" | ")[2].partition("/")
        said.append(f"Step: “{step_id.replace('_', ' ')}” ({agency_code}) is completed within its deadline "
                    f"least often: {format_value(step.name, step.mean)}.")
    device = _lowest(summaries, "command_confirmed_in_time.share | ", with_step=False)
    if device is not None and device.mean < 1:
        kind = device.name.partition(" | ")[2]
        said.append(f"Devices: {kind.replace('_', ' ')} commands are confirmed within the step's deadline least "
                    f"often: {format_value(device.name, device.mean)}.")
    hour = _strained_hour(records)
    if hour is not None:
        number, count = hour
        starts = scenario.start + timedelta(hours=number)
        per_replication = count / max(1, len(records))
        said.append(f"Hour: {starts:%H:%M}–{starts + timedelta(hours=1):%H:%M} (hour {number + 1} of the drill) "
                    f"has the most escalations and requests for units none could answer: "
                    f"{per_replication:,.1f} per replication.")
    return said or ["Nothing broke: every task was answered in time and every unit asked for was sent."]
