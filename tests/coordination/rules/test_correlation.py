"""Correlation rules: at least N sensors over their mark within R metres within T minutes.
Three drains over their mark in one ward is a flood; one is a blocked drain."""

from __future__ import annotations

from coordination.rules import Raised, SeverityRaised, tick
from sop_engine import Severity

from tests.coordination.rules.readings import CENTRE, at, kinds, reading, rule, run

DRAINS = rule("""
id: drains-flood
version: 1
title: Drains over their mark
sensors: {kind: water_level, unit: m}
correlation: {above: 0.6, at_least: 3, within_m: 1000, within: 30m, marks: {d9: 0.3}}
bands: {severe: 1.0, extreme: 1.5}
declare: {incident_type: flood, severity: moderate}
""")


def drain(sensor_id, value, minute, east=0.0, north=0.0):
    return reading(sensor_id, value, minute, offset_m=(east, north))


def test_one_drain_over_its_mark_is_not_a_flood():
    _state, outcomes = run(DRAINS, [drain("d1", 0.9, 0), drain("d1", 1.2, 5), drain("d2", 0.3, 6, east=200)])
    assert outcomes == []


def test_three_drains_over_their_mark_close_together_raise_one_episode_at_their_centre():
    readings = [drain("d1", 0.7, 0, east=-300), drain("d2", 0.8, 5, east=300), drain("d3", 0.65, 9, north=300),
                drain("d4", 0.9, 12, north=-300), drain("d1", 0.75, 15, east=-300)]
    _state, outcomes = run(DRAINS, readings)
    assert kinds(outcomes) == ["Raised"]
    raised = outcomes[0]
    assert isinstance(raised, Raised)
    assert raised.sensor_ids == ("d1", "d2", "d3") and raised.at == at(9)
    assert raised.episode == "drains-flood@v1/*/1"
    assert abs(raised.longitude - CENTRE[0]) < 1e-6 and raised.latitude > CENTRE[1]
    assert [item.sensor_id for item in raised.evidence] == ["d1", "d2", "d3"]


def test_drains_far_apart_or_too_far_apart_in_time_do_not_correlate():
    far = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=1500), drain("d3", 0.7, 2, east=3000)]
    assert run(DRAINS, far)[1] == []
    late = [drain("d1", 0.7, 0), drain("d2", 0.7, 20, east=100), drain("d3", 0.7, 31, east=200)]
    assert run(DRAINS, late)[1] == []  # d1's only reading over its mark left the window at minute 30


def test_a_drain_back_under_its_mark_stops_counting():
    readings = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d1", 0.5, 2), drain("d3", 0.7, 3, east=200)]
    assert run(DRAINS, readings)[1] == []


def test_a_drain_with_its_own_mark_counts_from_that_mark():
    readings = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d9", 0.35, 2, east=200)]
    assert kinds(run(DRAINS, readings)[1]) == ["Raised"]


def test_more_drains_joining_grow_the_episode_and_a_higher_band_revises_it():
    readings = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d3", 0.7, 2, east=200),
                drain("d4", 0.8, 3, east=300), drain("d5", 1.6, 4, east=400)]
    state, outcomes = run(DRAINS, readings)
    assert kinds(outcomes) == ["Raised", "SeverityRaised"]
    assert isinstance(outcomes[1], SeverityRaised) and outcomes[1].severity is Severity.EXTREME
    assert outcomes[1].episode == outcomes[0].episode
    assert state.clusters[0].sensor_ids == ("d1", "d2", "d3", "d4", "d5")


def test_the_episode_clears_when_its_window_passes_and_a_new_cluster_is_a_new_episode():
    readings = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d3", 0.7, 2, east=200)]
    state, outcomes = run(DRAINS, readings)
    state, cleared = tick(DRAINS, state, at(31))
    assert kinds(cleared) == ["Cleared"] and cleared[0].episode == outcomes[0].episode
    again = [drain("d1", 0.7, 40), drain("d2", 0.7, 41, east=100), drain("d3", 0.7, 42, east=200)]
    _state, outcomes = run(DRAINS, again, state=state)
    assert kinds(outcomes) == ["Raised"] and outcomes[0].episode == "drains-flood@v1/*/2"


def test_a_late_or_repeated_reading_of_a_drain_changes_nothing():
    first = drain("d1", 0.7, 5)
    state, _ = run(DRAINS, [first])
    again, outcomes = run(DRAINS, [first, drain("d1", 0.1, 4)], state=state)
    assert again is state and outcomes == []


HYSTERESIS = rule("""
id: drains-flood
version: 2
title: Drains over their mark
sensors: {kind: water_level, unit: m}
correlation: {above: 0.6, clear_at: 0.45, at_least: 3, within_m: 1000, within: 30m, marks: {d9: 0.3}}
declare: {incident_type: flood, severity: moderate}
""")

CLUSTER = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d3", 0.7, 2, east=200)]


def test_with_a_clear_level_a_drain_wavering_about_its_mark_neither_clears_nor_raises_again():
    receding = [drain("d1", 0.55, 5), drain("d1", 0.62, 7), drain("d1", 0.5, 9), drain("d1", 0.61, 11)]
    assert kinds(run(HYSTERESIS, CLUSTER + receding)[1]) == ["Raised"]
    flapping = ["Raised", "Cleared", "Raised", "Cleared", "Raised"]
    assert kinds(run(DRAINS, CLUSTER + receding)[1]) == flapping  # with no clear level: two floods more


def test_with_a_clear_level_the_cluster_clears_once_a_drain_is_back_past_it():
    _state, outcomes = run(HYSTERESIS, CLUSTER + [drain("d1", 0.44, 5), drain("d1", 0.5, 6)])
    assert kinds(outcomes) == ["Raised", "Cleared"]  # 0.5 afterwards does not bring it back: under the mark


def test_a_drain_with_its_own_mark_clears_the_same_distance_below_it():
    readings = [drain("d1", 0.7, 0), drain("d2", 0.7, 1, east=100), drain("d9", 0.35, 2, east=200),
                drain("d9", 0.2, 4, east=200)]  # d9 marks 0.3, clears at 0.15: 0.2 keeps it in
    assert kinds(run(HYSTERESIS, readings)[1]) == ["Raised"]
    assert kinds(run(HYSTERESIS, readings + [drain("d9", 0.15, 6, east=200)])[1]) == ["Raised", "Cleared"]
