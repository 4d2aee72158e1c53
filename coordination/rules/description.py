"""A rule in one line of plain words, for authors (`iccc rules validate`) and the console."""

from __future__ import annotations

from coordination.rules.definition import (
    AlertOfficer,
    Correlation,
    DeclareIncident,
    Direction,
    RateOfChange,
    RuleDefinition,
    Staleness,
    Threshold,
)
from sop_engine import format_duration_s


def describe_rule(rule: RuleDefinition) -> str:
    """What the rule watches, when it fires and clears, and what it then does."""
    unit = f" {rule.unit}" if rule.unit else ""
    condition = rule.condition
    if isinstance(condition, Threshold):
        reach, back = (">=", "<=") if condition.direction is Direction.ABOVE else ("<=", ">=")
        held = f" for {format_duration_s(condition.for_s)}" if condition.for_s else ""
        when = (f"a reading {reach} {condition.level:g}{unit}{held}; clears at {back} "
                f"{condition.clear_at:g}{unit}")
    elif isinstance(condition, RateOfChange):
        word = "drop" if condition.change < 0 else "rise"
        when = f"a {word} of {abs(condition.change):g}{unit} within {format_duration_s(condition.window_s)}"
    elif isinstance(condition, Correlation):
        side = ">=" if condition.direction is Direction.ABOVE else "<="
        when = (f"{condition.at_least} sensors {side} {condition.mark:g}{unit} within {condition.radius_m:g} m "
                f"within {format_duration_s(condition.window_s)}")
    else:
        assert isinstance(condition, Staleness)
        when = f"no reading for {condition.missed_intervals:g} x the sensor's interval"
    bands = ""
    if rule.bands:
        bands = "; bands " + ", ".join(f"{band.severity.value} {band.level:g}" for band in rule.bands)
    action = rule.action
    if isinstance(action, DeclareIncident):
        then = f"declare {action.incident_type} ({action.severity.value})"
    elif isinstance(action, AlertOfficer):
        then = "alert the duty officer"
    else:
        then = "ask the sensor's agency for maintenance"
    kind = "every sensor" if rule.sensor_kind == "*" else rule.sensor_kind
    return f"{rule.kind} on {kind}: {when}{bands}; then {then}"
