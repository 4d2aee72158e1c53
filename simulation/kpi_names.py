"""A drill KPI in words, with its unit: `ack_in_time.share | ddma/assess` reads "Tasks
acknowledged within the SOP's deadline — ddma, step: assess" in percent.

The names stay as they are in kpis.csv and records (scripts read them); people read these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.intervals import MIN_REPLICATIONS


@dataclass(frozen=True)
class Measure:
    words: str
    unit: str  # "min", "%" or "" (a count)
    scale: float  # multiply the stored value by this to show it in `unit`
    target: str = ""  # what it should be, when the measure itself says (a deadline's share: all)
    group_is: str = "incident"  # what the group after `|` names: incident, agency/step, unit, target, device, rule


MEASURES = {
    "incidents": Measure("Incidents declared", "", 1),
    "response_s.mean": Measure("Mean response time (declared to first unit on scene)", "min", 1 / 60),
    "response_s.p50": Measure("Median response time", "min", 1 / 60),
    "response_s.p90": Measure("Response time, 90th percentile (9 in 10 incidents reached sooner)", "min", 1 / 60),
    "response_s.p95": Measure("Response time, 95th percentile", "min", 1 / 60),
    "time_to_close_s.mean": Measure("Mean time from declaration to close", "min", 1 / 60),
    "incidents_open_at_end": Measure("Incidents still open at the end", "", 1, target="0"),
    "ack_in_time.share": Measure("Tasks acknowledged within the SOP's deadline", "%", 100, target="100%",
                                 group_is="agency"),
    "complete_in_time.share": Measure("Tasks completed within the SOP's deadline", "%", 100, target="100%",
                                      group_is="agency"),
    "escalations": Measure("Escalations (a deadline missed, a rung above told)", "", 1, target="0",
                           group_is="target"),
    "utilisation": Measure("Unit utilisation (share of time committed to a scene)", "%", 100, group_is="unit"),
    "unserved_units": Measure("Units asked for when none was free", "", 1, target="0"),
    "unserved_incidents": Measure("Incidents that waited for a unit", "", 1, target="0"),
    "commands": Measure("Device commands sent", "", 1, group_is="device"),
    "commands_confirmed": Measure("Device commands confirmed", "", 1, group_is="device"),
    "commands_failed": Measure("Device commands the device failed to carry out", "", 1, target="0",
                               group_is="device"),
    "commands_unanswered": Measure("Device commands never answered", "", 1, target="0", group_is="device"),
    "command_confirmed_in_time.share": Measure("Device commands confirmed within the step's deadline", "%", 100,
                                               target="100%", group_is="device"),
    "command_confirm_s.mean": Measure("Mean time for a device to confirm a command", "min", 1 / 60,
                                      group_is="device"),
    "command_confirm_s.p90": Measure("Time for a device to confirm, 90th percentile", "min", 1 / 60,
                                     group_is="device"),
    "rule_firings": Measure("Trigger rules raised by the readings", "", 1, group_is="rule"),
    "rule_declarations": Measure("Incidents declared by trigger rules", "", 1),
}


def _group_words(group: str, group_is: str) -> str:
    if group == "all":
        return ""
    if group_is == "agency":
        agency, _, step = group.partition("/")
        return f"{agency}, step: {step.replace('_', ' ')}" if step else agency
    if group_is == "incident":
        incident_type, _, severity = group.partition("/")
        return incident_type.replace("_", " ") + (f", {severity}" if severity else "")
    return group.replace("_", " ")


def measure_of(name: str) -> Measure:
    key = name.partition(" | ")[0]
    return MEASURES.get(key, Measure(key.replace("_", " ").replace(".", " "), "", 1))


def kpi_label(name: str) -> str:
    """The KPI in words, its group after a dash: "Median response time — road accident, severe"."""
    key, _, group = name.partition(" | ")
    measure = measure_of(name)
    words = _group_words(group, measure.group_is)
    return f"{measure.words} — {words}" if words else measure.words


def format_value(name: str, value: float) -> str:
    """A value in the KPI's unit: `12.5 min`, `87%`, `3.4`."""
    if math.isnan(value):
        return "–"
    measure = measure_of(name)
    shown = value * measure.scale
    number = f"{shown:,.0f}" if abs(shown) >= 100 else f"{shown:,.1f}"
    return f"{number}%" if measure.unit == "%" else f"{number} {measure.unit}".rstrip()


def format_interval(name: str, n: int, mean: float, low: float, high: float) -> str:
    """`12.5 min (95%: 10.1 to 14.0)`, or the mean and why there is no interval."""
    if math.isnan(mean):
        return "–"
    if n < MIN_REPLICATIONS:
        return (f"{format_value(name, mean)} (too few replications for an interval: "
                f"{n} of at least {MIN_REPLICATIONS})")
    return f"{format_value(name, mean)} (95%: {format_value(name, low)} to {format_value(name, high)})"
