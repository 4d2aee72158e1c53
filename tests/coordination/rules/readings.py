"""Readings and rules for the rule engine's tests, written the way a person reads them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from coordination.rules import Observation, RuleDefinition, evaluate, load_rule_text, scope_of, tick

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
CENTRE = (77.5946, 12.9716)
_IDS = count(1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reading(sensor_id: str, value: float, minute: float, *, kind: str = "water_level", unit: str = "m",
            offset_m: tuple[float, float] = (0.0, 0.0), agency: str = "municipal") -> Observation:
    """A reading `minute` minutes after T0, from a sensor `offset_m` (east, north) metres from CENTRE."""
    east, north = offset_m
    longitude = CENTRE[0] + east / 108_500.0  # metres per degree of longitude at 13 degrees north
    latitude = CENTRE[1] + north / 111_200.0
    return Observation(f"r{next(_IDS)}", sensor_id, kind, value, unit, at(minute), longitude, latitude, agency)


def rule(text: str) -> RuleDefinition:
    return load_rule_text(text, source="test-rule.yaml")


def run(rule_definition: RuleDefinition, readings, *, state=None, now_lag_s: float = 0.0):
    """Feed the readings in order (now = each reading's time plus `now_lag_s`); return the final
    state and every outcome."""
    outcomes = []
    for item in readings:
        state, produced = evaluate(rule_definition, state, item, item.observed_at + timedelta(seconds=now_lag_s))
        outcomes.extend(produced)
    return state, outcomes


def run_by_scope(rule_definition: RuleDefinition, readings):
    """Feed readings keeping one state per scope, as the shell does."""
    states: dict[str, object] = {}
    outcomes = []
    for item in readings:
        scope = scope_of(rule_definition, item)
        states[scope], produced = evaluate(rule_definition, states.get(scope), item, item.observed_at)
        outcomes.extend(produced)
    return states, outcomes


def kinds(outcomes) -> list[str]:
    return [type(outcome).__name__ for outcome in outcomes]


__all__ = ["T0", "at", "kinds", "reading", "rule", "run", "run_by_scope", "tick"]
