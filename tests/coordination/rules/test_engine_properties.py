"""Properties of the rule engine under any stream of readings (hypothesis): hysteresis and
windows agree with a plain reference model; a reading delivered twice, or a state saved and
restored between any two readings, changes no outcome."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coordination.rules import (
    Cleared,
    Raised,
    evaluate,
    scope_of,
    state_from_json,
    state_to_json,
)

from tests.coordination.rules.readings import reading, rule

LEVEL, CLEAR_AT = 2.0, 1.5

HYSTERESIS = rule(f"""
id: hysteresis
version: 1
title: Level with hysteresis
sensors: {{kind: water_level, unit: m}}
threshold: {{above: {LEVEL}, clear_at: {CLEAR_AT}}}
declare: {{incident_type: flood}}
""")

HELD = rule(f"""
id: held
version: 1
title: Level held for ten minutes
sensors: {{kind: water_level, unit: m}}
threshold: {{above: {LEVEL}, clear_at: {CLEAR_AT}, for: 10m}}
declare: {{incident_type: flood}}
""")

DROP = rule("""
id: drop
version: 1
title: Drop of 1.0 within 5 minutes
sensors: {kind: pipe_pressure, unit: kPa}
rate: {drop: 1.0, within: 5m}
alert: {message: "Pressure drop"}
""")

CLUSTER = rule("""
id: cluster
version: 1
title: Three of six sensors within 500 m within 10 minutes
sensors: {kind: water_level, unit: m}
correlation: {above: 1.0, at_least: 3, within_m: 500, within: 10m}
alert: {message: "Cluster"}
""")

values = st.floats(min_value=0.0, max_value=4.0, allow_nan=False).map(lambda value: round(value, 2))
gaps = st.integers(min_value=1, max_value=8)  # minutes between readings


@st.composite
def series(draw, *, kind="water_level", unit="m", sensors=("g1",), max_size=30):
    """Readings in time order (distinct times), each from one of `sensors`."""
    count = draw(st.integers(min_value=0, max_value=max_size))
    minute, readings = 0, []
    for _ in range(count):
        minute += draw(gaps)
        sensor = draw(st.sampled_from(sensors))
        readings.append(reading(sensor, draw(values), minute, kind=kind, unit=unit,
                                offset_m=(300.0 * sensors.index(sensor), 0.0)))
    return readings


def feed(definition, readings, *, duplicate=False, restore=False):
    states, outcomes = {}, []
    for item in readings:
        for _ in range(2 if duplicate else 1):
            key = scope_of(definition, item)
            state = states.get(key)
            if restore and state is not None:
                state = state_from_json(state_to_json(state))
            states[key], produced = evaluate(definition, state, item, item.observed_at)
            outcomes.extend(produced)
    return outcomes


@settings(max_examples=60, deadline=None)
@given(series())
def test_hysteresis_raises_at_the_level_clears_at_the_clearing_level_and_alternates(readings):
    raised, expected = False, []
    for item in readings:
        if not raised and item.value >= LEVEL:
            raised = True
            expected.append(("Raised", item.reading_id))
        elif raised and item.value <= CLEAR_AT:
            raised = False
            expected.append(("Cleared", item.observed_at))
    outcomes = feed(HYSTERESIS, readings)
    actual = [("Raised", outcome.evidence[-1].reading_id) if isinstance(outcome, Raised)
              else ("Cleared", outcome.at) for outcome in outcomes]
    assert actual == expected


@settings(max_examples=60, deadline=None)
@given(series())
def test_a_minimum_duration_raises_only_after_the_level_held_unbroken_that_long(readings):
    since, raised, expected = None, False, []
    for item in readings:
        if raised:
            if item.value <= CLEAR_AT:
                raised, since = False, None
                expected.append("Cleared")
            continue
        if item.value >= LEVEL:
            since = since or item.observed_at
            if item.observed_at - since >= timedelta(minutes=10):
                raised = True
                expected.append("Raised")
        else:
            since = None
    outcomes = feed(HELD, readings)
    assert [type(outcome).__name__ for outcome in outcomes] == expected
    for outcome in outcomes:
        if isinstance(outcome, Raised):
            span = outcome.evidence[-1].observed_at - outcome.evidence[0].observed_at
            assert span >= timedelta(minutes=10) and all(item.value >= LEVEL for item in outcome.evidence)


@settings(max_examples=60, deadline=None)
@given(series(kind="pipe_pressure", unit="kPa"))
def test_a_rate_rule_holds_exactly_when_some_reading_of_the_window_is_the_drop_above_this_one(readings):
    raised, expected = False, []
    for index, item in enumerate(readings):
        window = [earlier.value for earlier in readings[:index]
                  if earlier.observed_at >= item.observed_at - timedelta(minutes=5)]
        holds = bool(window) and max(window) - item.value >= 1.0
        if holds and not raised:
            expected.append(("Raised", item.observed_at))
        elif raised and not holds:
            expected.append(("Cleared", item.observed_at))
        raised = holds
    actual = [(type(outcome).__name__, outcome.at) for outcome in feed(DROP, readings)]
    assert actual == expected


@settings(max_examples=40, deadline=None)
@given(series(sensors=("a", "b", "c", "d", "e", "f")))
def test_every_cluster_raised_is_big_enough_close_enough_and_recent_enough(readings):
    for outcome in feed(CLUSTER, readings):
        if isinstance(outcome, Raised):
            assert len(outcome.sensor_ids) >= 3
            assert all(outcome.at - item.observed_at <= timedelta(minutes=10) for item in outcome.evidence)
            assert all(item.value >= 1.0 for item in outcome.evidence)
            spread = max(item.longitude for item in outcome.evidence) - min(item.longitude for item in outcome.evidence)
            assert spread * 108_500.0 <= 1000.0 + 1e-6  # each within 500 m of the sensor that completed it


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([HYSTERESIS, HELD, CLUSTER]), series(sensors=("a", "b", "c", "d")))
def test_a_reading_delivered_twice_or_a_state_saved_and_restored_changes_no_outcome(definition, readings):
    once = feed(definition, readings)
    assert feed(definition, readings, duplicate=True) == once
    assert feed(definition, readings, restore=True) == once


@settings(max_examples=40, deadline=None)
@given(series(sensors=("a", "b", "c", "d")))
def test_clusters_clear_only_episodes_they_raised_and_each_episode_at_most_once(readings):
    raised, cleared = [], []
    for outcome in feed(CLUSTER, readings):
        (raised if isinstance(outcome, Raised) else cleared if isinstance(outcome, Cleared) else []).append(
            outcome.episode)
    assert len(set(raised)) == len(raised) and len(set(cleared)) == len(cleared)
    assert set(cleared) <= set(raised)
