"""Stale-sensor rules: no reading for k times a sensor's interval, checked as time passes."""

from __future__ import annotations

from coordination.rules import SensorStatus, tick

from tests.coordination.rules.readings import T0, at, kinds, rule

STALE = rule("""
id: stale
version: 1
title: Silent sensor
sensors: {kind: "*"}
stale: {missed_intervals: 3}
maintenance: {do: "Check the sensor"}
""")


def sensor(sensor_id, last_minute, *, interval_s=300, kind="water_level"):
    last = at(last_minute) if last_minute is not None else None
    return SensorStatus(sensor_id, kind, interval_s, last, T0, 77.6, 12.97, agency="municipal")


def test_a_sensor_silent_for_more_than_its_allowance_raises_a_maintenance_episode_once():
    state, outcomes = tick(STALE, None, at(16), [sensor("g1", 0), sensor("g2", 10)])
    assert kinds(outcomes) == ["Raised"]
    assert outcomes[0].sensor_ids == ("g1",) and outcomes[0].agency == "municipal"
    state, again = tick(STALE, state, at(17), [sensor("g1", 0), sensor("g2", 10)])
    assert again == ()


def test_a_sensor_never_heard_from_counts_from_its_registration_and_each_its_own_interval():
    _state, outcomes = tick(STALE, None, at(16), [sensor("new", None), sensor("slow", 0, interval_s=3600, kind="rain_gauge")])
    assert [outcome.sensor_ids for outcome in outcomes] == [("new",)]


def test_it_clears_when_the_sensor_reports_again_or_leaves_the_registry():
    state, _ = tick(STALE, None, at(16), [sensor("g1", 0), sensor("g2", 0)])
    state, outcomes = tick(STALE, state, at(20), [sensor("g1", 19)])
    assert kinds(outcomes) == ["Cleared", "Cleared"]
    assert "no longer registered" in outcomes[0].reason and "reports again" in outcomes[1].reason
    assert state.stale == ()
