"""Rate-of-change rules: a move of at least X within a window, measured from the window's extreme."""

from __future__ import annotations

from sop_engine import Severity

from tests.coordination.rules.readings import kinds, reading, rule, run

BURST = rule("""
id: main-burst
version: 1
title: Pressure drop
sensors: {kind: pipe_pressure, unit: kPa}
rate: {drop: 150, within: 5m}
bands: {severe: 100}
declare: {incident_type: water_main_burst}
""")


def pressure(values):
    return [reading("p1", value, minute, kind="pipe_pressure", unit="kPa") for minute, value in values]


def test_a_drop_within_the_window_from_its_highest_reading_raises_with_the_fall_as_evidence():
    readings = pressure([(0, 400), (1, 410), (2, 380), (3, 300), (4, 255)])
    _state, outcomes = run(BURST, readings)
    assert kinds(outcomes) == ["Raised"]
    raised = outcomes[0]
    assert raised.at.minute == 4 and raised.severity is Severity.MODERATE
    assert "fell 155 kPa within 5 min" in raised.reason
    assert [item.value for item in raised.evidence] == [410, 380, 300, 255]


def test_the_same_drop_spread_over_more_than_the_window_does_not_raise():
    _state, outcomes = run(BURST, pressure([(0, 400), (3, 350), (6, 300), (9, 250), (12, 200)]))
    assert outcomes == []


def test_it_clears_once_the_window_no_longer_holds_the_drop_and_can_raise_again():
    values = [(0, 400), (2, 240), (4, 235), (8, 236), (9, 420), (10, 250)]
    _state, outcomes = run(BURST, pressure(values))
    assert kinds(outcomes) == ["Raised", "Cleared", "Raised"]
    assert outcomes[1].at.minute == 8  # the 400 left the window at minute 5; minute 8's reading sees it


def test_the_band_is_read_from_the_value_it_fell_to():
    _state, outcomes = run(BURST, pressure([(0, 300), (1, 90)]))
    assert outcomes[0].severity is Severity.SEVERE


def test_a_rise_rule_measures_from_the_lowest_reading_of_the_window():
    surge = rule("""
id: surge
version: 1
title: Fast rise
sensors: {kind: water_level, unit: m}
rate: {rise: 0.5, within: 10m}
alert: {message: "River rising fast"}
""")
    _state, outcomes = run(surge, [reading("g", value, minute) for minute, value in [(0, 1.0), (3, 0.8), (9, 1.31)]])
    assert kinds(outcomes) == ["Raised"]
