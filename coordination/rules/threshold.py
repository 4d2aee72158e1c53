"""A level with hysteresis and a minimum duration, one sensor at a time, with severity bands."""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace

from coordination.rules.definition import RuleDefinition, Threshold
from coordination.rules.observations import Evidence, Observation
from coordination.rules.outcomes import Cleared, Outcome, Raised, SeverityRaised, episode_key
from coordination.rules.state import MAX_EVIDENCE, ThresholdState


def evaluate_threshold(rule: RuleDefinition, state: ThresholdState, reading: Observation
                       ) -> tuple[ThresholdState, tuple[Outcome, ...]]:
    """Take one reading of the rule's sensor (already known to be newer than the last)."""
    condition = rule.condition
    assert isinstance(condition, Threshold)
    at = reading.observed_at
    value = reading.value
    if state.raised:
        if condition.cleared(value):
            cleared = Cleared(rule.ref.rule_id, rule.ref.version, _episode(rule, reading, state.episodes), at,
                              f"{_describe(value, reading.unit)} is back at {condition.clear_at:g} {rule.unit}")
            return ThresholdState(last_at=at, episodes=state.episodes), (cleared,)
        evidence = _kept(state.evidence, reading)
        severity = rule.severity_for(value)
        if state.severity is not None and severity.rank > state.severity.rank:
            raised = SeverityRaised(
                rule.ref.rule_id, rule.ref.version, _episode(rule, reading, state.episodes), at, severity, evidence,
                f"{_describe(value, reading.unit)} reaches the {severity.value} band")
            return replace(state, last_at=at, evidence=evidence, severity=severity), (raised,)
        return replace(state, last_at=at, evidence=evidence), ()
    if not condition.reached(value):
        # A dip before the minimum duration passed: the duration starts again from the next reach.
        return ThresholdState(last_at=at, episodes=state.episodes), ()
    since = state.since or at
    evidence = _kept(state.evidence if state.since else (), reading)
    if (at - since).total_seconds() < condition.for_s:
        return ThresholdState(last_at=at, since=since, episodes=state.episodes, evidence=evidence), ()
    episodes = state.episodes + 1
    severity = rule.severity_for(value)
    held = f" for {_minutes(at - since)}" if condition.for_s else ""
    side = ">=" if condition.direction.value == "above" else "<="
    raised = Raised(
        rule.ref.rule_id, rule.ref.version, _episode(rule, reading, episodes), at, severity,
        reading.longitude, reading.latitude, (reading.sensor_id,), evidence,
        f"{reading.sensor_id}: {_describe(value, reading.unit)} {side} {condition.level:g} {rule.unit}{held}",
        reading.agency)
    return ThresholdState(last_at=at, since=since, raised=True, severity=severity, episodes=episodes,
                          evidence=evidence), (raised,)


def _episode(rule: RuleDefinition, reading: Observation, number: int) -> str:
    return episode_key(rule.ref, reading.sensor_id, number)


def _kept(evidence: tuple[Evidence, ...], reading: Observation) -> tuple[Evidence, ...]:
    return (*evidence, Evidence.of(reading))[-MAX_EVIDENCE:]


def _describe(value: float, unit: str) -> str:
    return f"{value:g} {unit}"


def _minutes(elapsed: timedelta) -> str:
    seconds = int(elapsed.total_seconds())
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"
