"""A rate of change over a window, one sensor at a time: a main's pressure falling fast.

The window is a monotonic queue: for a drop, only readings that no later reading matches or
exceeds (each could still be the highest of a future window), so its first entry is the highest
value of the window and the move is measured exactly, whatever the sensor's rate.
"""

from __future__ import annotations

from datetime import timedelta

from coordination.rules.definition import RateOfChange, RuleDefinition
from coordination.rules.observations import Evidence, Observation
from coordination.rules.outcomes import Cleared, Outcome, Raised, episode_key
from coordination.rules.state import MAX_EVIDENCE, RateState

MAX_WINDOW_READINGS = 200
"""A window steadily falling for a long time at a high rate keeps at most this many readings
(the first, the highest, always kept); beyond it the next highest after the first leaves the
window may be missed, which can only delay a firing, never invent one."""


def evaluate_rate(rule: RuleDefinition, state: RateState, reading: Observation) -> tuple[RateState, tuple[Outcome, ...]]:
    """Take one reading of the rule's sensor (already known to be newer than the last)."""
    condition = rule.condition
    assert isinstance(condition, RateOfChange)
    at = reading.observed_at
    start = at - timedelta(seconds=condition.window_s)
    window = tuple(item for item in state.window if item.observed_at >= start)
    falling = condition.change < 0
    moved = reading.value - window[0].value if window else None
    holds = moved is not None and (moved <= condition.change if falling else moved >= condition.change)
    kept = _pushed(window, Evidence.of(reading), falling)
    if state.raised and not holds:
        cleared = Cleared(rule.ref.rule_id, rule.ref.version, episode_key(rule.ref, reading.sensor_id, state.episodes),
                          at, f"{reading.sensor_id}: no move of {abs(condition.change):g} {rule.unit} "
                              f"within {_span(condition.window_s)} any more")
        return RateState(last_at=at, window=kept, raised=False, episodes=state.episodes), (cleared,)
    if holds and not state.raised:
        assert moved is not None
        episodes = state.episodes + 1
        word = "fell" if falling else "rose"
        raised = Raised(
            rule.ref.rule_id, rule.ref.version, episode_key(rule.ref, reading.sensor_id, episodes), at,
            rule.severity_for(reading.value), reading.longitude, reading.latitude, (reading.sensor_id,),
            (*window, Evidence.of(reading))[-MAX_EVIDENCE:],
            f"{reading.sensor_id}: {word} {abs(moved):g} {rule.unit} within {_span(condition.window_s)} "
            f"(to {reading.value:g} {reading.unit})",
            reading.agency)
        return RateState(last_at=at, window=kept, raised=True, episodes=episodes), (raised,)
    return RateState(last_at=at, window=kept, raised=state.raised, episodes=state.episodes), ()


def _pushed(window: tuple[Evidence, ...], reading: Evidence, falling: bool) -> tuple[Evidence, ...]:
    """Append to the monotonic queue, dropping the readings the new one supersedes."""
    items = list(window)
    while items and (items[-1].value <= reading.value if falling else items[-1].value >= reading.value):
        items.pop()
    items.append(reading)
    if len(items) > MAX_WINDOW_READINGS:
        del items[1:len(items) - MAX_WINDOW_READINGS + 1]
    return tuple(items)


def _span(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
