"""The rule engine: readings and time in, state and outcomes out. Pure: no I/O, no clock but the
`now` it is given, the same outcomes for the same inputs.

`evaluate(rule, state, reading, now)` takes one reading into one rule's state for the reading's
scope (`scope_of`: the sensor, or the whole kind for a correlation); `tick(rule, state, now,
sensors)` lets time pass (correlation windows expire, sensors go stale). A reading no newer than
the last one the state took from its sensor changes nothing, so a redelivered reading, or the
stored readings replayed to rebuild a state after a restart, never fire twice.

`evaluate_all` and `tick_all` do the same for a whole `RuleBook` with states kept in a mapping:
what a drill and a single process need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from coordination.rules.correlation import SCOPE as CORRELATION_SCOPE
from coordination.rules.correlation import evaluate_correlation, expire, is_newer
from coordination.rules.definition import Correlation, RateOfChange, RuleDefinition, RuleRef, Staleness, Threshold
from coordination.rules.observations import Observation, SensorStatus
from coordination.rules.outcomes import Outcome
from coordination.rules.rate import evaluate_rate
from coordination.rules.staleness import SCOPE as STALE_SCOPE
from coordination.rules.staleness import check_staleness
from coordination.rules.state import CorrelationState, RateState, RuleState, StaleState, ThresholdState
from coordination.rules.threshold import evaluate_threshold


def scope_of(rule: RuleDefinition, reading: Observation) -> str:
    """The key of the state this reading goes into: its sensor, or `*` for a whole-kind rule."""
    if isinstance(rule.condition, Correlation):
        return CORRELATION_SCOPE
    if isinstance(rule.condition, Staleness):
        return STALE_SCOPE
    return reading.sensor_id


def initial_state(rule: RuleDefinition) -> RuleState:
    condition = rule.condition
    if isinstance(condition, Threshold):
        return ThresholdState()
    if isinstance(condition, RateOfChange):
        return RateState()
    if isinstance(condition, Correlation):
        return CorrelationState()
    return StaleState()


def takes_readings(rule: RuleDefinition) -> bool:
    """Stale rules learn only from time passing (the tick), not from readings."""
    return not isinstance(rule.condition, Staleness)


def evaluate(rule: RuleDefinition, state: RuleState | None, reading: Observation, now: datetime
             ) -> tuple[RuleState, tuple[Outcome, ...]]:
    """Take one reading into the rule's state for `scope_of(rule, reading)`.

    A reading the rule does not watch (another kind, unit or sensor), or no newer than the last
    one taken from its sensor, returns the state unchanged and no outcome.
    """
    current = state if state is not None else initial_state(rule)
    if not rule.applies_to(reading.sensor_id, reading.kind, reading.unit) or not takes_readings(rule):
        return current, ()
    return evaluate_watched(rule, current, reading, now)


def evaluate_watched(rule: RuleDefinition, current: RuleState, reading: Observation, now: datetime
                     ) -> tuple[RuleState, tuple[Outcome, ...]]:
    """`evaluate` for a reading the caller already knows the rule takes (`applies_to`, not a stale
    rule), with the rule's state: the intake sorts a batch's readings to their rules once."""
    if isinstance(current, ThresholdState):
        if current.last_at is not None and reading.observed_at <= current.last_at:
            return current, ()
        return evaluate_threshold(rule, current, reading)
    if isinstance(current, RateState):
        if current.last_at is not None and reading.observed_at <= current.last_at:
            return current, ()
        return evaluate_rate(rule, current, reading)
    assert isinstance(current, CorrelationState)
    if not is_newer(current, reading):
        return current, ()
    return evaluate_correlation(rule, current, reading, now)


def tick(rule: RuleDefinition, state: RuleState | None, now: datetime, sensors: Iterable[SensorStatus] = ()
         ) -> tuple[RuleState, tuple[Outcome, ...]]:
    """Let time pass: a correlation's window expires; a stale rule checks `sensors` (the whole
    registry, with each sensor's last reading). Threshold and rate states do not change."""
    current = state if state is not None else initial_state(rule)
    if isinstance(current, CorrelationState):
        return expire(rule, current, now)
    if isinstance(current, StaleState):
        return check_staleness(rule, current, sensors, now)
    return current, ()


StateKey = tuple[RuleRef, str]
"""A rule version and a scope."""


@dataclass(frozen=True)
class RuleBook:
    """The active rules, by sensor kind for quick look-up."""

    rules: tuple[RuleDefinition, ...]
    _by_kind: dict[str, tuple[RuleDefinition, ...]] = field(default_factory=dict, init=False, repr=False,
                                                             compare=False)

    def for_kind(self, kind: str) -> tuple[RuleDefinition, ...]:
        """The rules that take readings of `kind` (worked out once per kind: asked for every reading)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = tuple(
                rule for rule in self.rules if rule.sensor_kind == kind and takes_readings(rule))
        return found


def evaluate_all(book: RuleBook, states: Mapping[StateKey, RuleState], reading: Observation, now: datetime
                 ) -> tuple[dict[StateKey, RuleState], tuple[Outcome, ...]]:
    """Take one reading into every rule of the book that watches it; return the changed states."""
    changed: dict[StateKey, RuleState] = {}
    outcomes: list[Outcome] = []
    for rule in book.for_kind(reading.kind):
        key = (rule.ref, scope_of(rule, reading))
        before = states.get(key)
        after, produced = evaluate(rule, before, reading, now)
        if after is not before:
            changed[key] = after
        outcomes.extend(produced)
    return changed, tuple(outcomes)


def tick_all(book: RuleBook, states: Mapping[StateKey, RuleState], now: datetime,
             sensors: Iterable[SensorStatus] = ()) -> tuple[dict[StateKey, RuleState], tuple[Outcome, ...]]:
    """Let time pass for every whole-kind state of the book (correlations, stale rules)."""
    sensors = tuple(sensors)
    changed: dict[StateKey, RuleState] = {}
    outcomes: list[Outcome] = []
    for rule in book.rules:
        if rule.is_per_sensor:
            continue
        key = (rule.ref, CORRELATION_SCOPE)
        before = states.get(key)
        after, produced = tick(rule, before, now, sensors)
        if after is not before:
            changed[key] = after
        outcomes.extend(produced)
    return changed, tuple(outcomes)
