"""Threshold rules: raise at a level held for a minimum duration, clear at another (hysteresis),
severity from bands, one sensor at a time."""

from __future__ import annotations

from coordination.rules import Cleared, Raised, SeverityRaised
from sop_engine import Severity

from tests.coordination.rules.readings import kinds, reading, rule, run, run_by_scope

GAUGE = rule("""
id: river-gauge
version: 2
title: River over its danger mark
sensors: {kind: water_level, unit: m}
threshold: {above: 2.0, clear_at: 1.6, for: 10m}
bands: {severe: 2.5, extreme: 3.0}
declare: {incident_type: flood, severity: moderate}
""")


def test_a_level_held_for_the_minimum_duration_raises_once_with_its_readings_as_evidence():
    readings = [reading("g1", value, minute) for minute, value in [(0, 1.9), (5, 2.1), (10, 2.2), (15, 2.3), (20, 2.2)]]
    _state, outcomes = run(GAUGE, readings)
    assert kinds(outcomes) == ["Raised"]
    raised = outcomes[0]
    assert isinstance(raised, Raised)
    assert raised.at == readings[3].observed_at  # 10 minutes after the first reading at the level
    assert raised.severity is Severity.MODERATE
    assert raised.episode == "river-gauge@v2/g1/1"
    assert [item.reading_id for item in raised.evidence] == [item.reading_id for item in readings[1:4]]
    assert (raised.longitude, raised.latitude) == (readings[3].longitude, readings[3].latitude)


def test_a_dip_below_the_level_before_the_duration_passes_starts_the_duration_again():
    values = [(0, 2.1), (6, 2.2), (8, 1.9), (12, 2.1), (20, 2.2), (22, 2.3)]
    _state, outcomes = run(GAUGE, [reading("g1", value, minute) for minute, value in values])
    assert kinds(outcomes) == ["Raised"]
    assert outcomes[0].at.minute == 22  # 10 minutes after the reach at minute 12, not at minute 0


def test_between_the_two_levels_an_episode_neither_starts_nor_ends():
    values = [(0, 2.1), (10, 2.1), (15, 1.8), (20, 1.7), (25, 2.05), (40, 1.61)]
    _state, outcomes = run(GAUGE, [reading("g1", value, minute) for minute, value in values])
    assert kinds(outcomes) == ["Raised"]


def test_back_at_the_clearing_level_clears_and_a_new_rise_is_a_new_episode():
    values = [(0, 2.1), (10, 2.1), (20, 1.6), (30, 2.2), (40, 2.2)]
    _state, outcomes = run(GAUGE, [reading("g1", value, minute) for minute, value in values])
    assert kinds(outcomes) == ["Raised", "Cleared", "Raised"]
    assert [outcome.episode for outcome in outcomes] == ["river-gauge@v2/g1/1"] * 2 + ["river-gauge@v2/g1/2"]


def test_a_higher_band_raises_the_severity_once_and_never_lowers_it():
    values = [(0, 2.1), (10, 2.6), (15, 2.7), (20, 3.1), (25, 2.6), (30, 3.2)]
    _state, outcomes = run(GAUGE, [reading("g1", value, minute) for minute, value in values])
    assert kinds(outcomes) == ["Raised", "SeverityRaised"]
    assert outcomes[0].severity is Severity.SEVERE  # raised already in the severe band
    assert isinstance(outcomes[1], SeverityRaised) and outcomes[1].severity is Severity.EXTREME


def test_a_reading_no_newer_than_the_last_one_changes_nothing():
    first, second = reading("g1", 2.1, 0), reading("g1", 2.2, 10)
    state, outcomes = run(GAUGE, [first, second])
    assert kinds(outcomes) == ["Raised"]
    again, repeated = run(GAUGE, [second, first, reading("g1", 9.9, 5)], state=state)
    assert again is state and repeated == []


def test_each_sensor_has_its_own_episode():
    readings = [reading("g1", 2.1, 0), reading("g2", 2.1, 1), reading("g1", 2.2, 10), reading("g2", 1.0, 11)]
    _states, outcomes = run_by_scope(GAUGE, readings)
    assert [(type(outcome).__name__, outcome.sensor_ids) for outcome in outcomes] == [("Raised", ("g1",))]


def test_readings_of_another_kind_unit_or_sensor_list_do_not_apply():
    listed = rule("""
id: listed
version: 1
title: Two gauges only
sensors: {kind: water_level, unit: m, ids: [g1]}
threshold: {above: 2.0, clear_at: 1.6}
alert: {message: "Gauge high"}
""")
    readings = [reading("g1", 2.5, 0, unit="cm"), reading("g1", 2.5, 1, kind="rain_gauge"), reading("g2", 2.5, 2)]
    state, outcomes = run(listed, readings)
    assert outcomes == [] and state.last_at is None
    _state, outcomes = run(listed, [reading("g1", 2.5, 3)])
    assert kinds(outcomes) == ["Raised"]


def test_a_rule_below_a_level_raises_on_the_low_side_and_clears_above_its_clearing_level():
    feeder = rule("""
id: feeder
version: 1
title: Feeder trip
sensors: {kind: feeder_current, unit: A}
threshold: {below: 5, clear_at: 20, for: 1m}
declare: {incident_type: power_outage}
""")
    values = [(0, 180), (1, 2), (1.5, 0), (2, 0), (3, 12), (4, 25)]
    _state, outcomes = run(feeder, [reading("f1", value, minute, kind="feeder_current", unit="A")
                                    for minute, value in values])
    assert kinds(outcomes) == ["Raised", "Cleared"]
    assert outcomes[0].at.minute == 2 and isinstance(outcomes[1], Cleared)
