"""Gauges in simulated time through the live intake's rule engine: a cloudburst over a drain
raises three gauges, the correlation rule declares one flood at their centre, and every other
outcome is recorded for the planner."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
import simpy

from simulation.draws import Draws
from simulation.scenario_readings import Readings, trigger_rules
from simulation.sensor_feed import SensorFeed
from simulation.sim_clock import SimClock

START = datetime(2026, 7, 1, tzinfo=timezone.utc)


def drains(*, peak: float = 0.9, rules: list[str] | None = None, noise: float = 0.02) -> Readings:
    return Readings.model_validate({
        "rules": rules or ["drains-flood"],
        "sensors": [{"id": f"drain-{n}", "kind": "water_level", "unit": "m", "at": [77.585 + 0.004 * n, 12.966],
                     "interval": "1m", "normal": 0.15, "noise": noise, "agency": "bbmp"} for n in range(1, 6)],
        "events": [{"rain": {"at": "10m", "along": [[77.588, 12.966], [77.598, 12.966]], "within_m": 150,
                             "peak": peak, "rise": "10m", "hold": "10m", "recession": "20m", "lag_per_km": "2m"}}],
    })


def feed(readings: Readings, seed: int = 1, until_s: float = 3600) -> tuple[SensorFeed, list[tuple]]:
    env = simpy.Environment()
    declared: list[tuple] = []

    def report(incident_type, severity, lon, lat, description, rule) -> tuple[int, bool]:
        declared.append((env.now, incident_type, severity.value, round(lon, 5), round(lat, 5), description))
        return len(declared), False

    sensors = SensorFeed(env=env, clock=SimClock(env, START), readings=readings,
                         rules=trigger_rules(readings, "."), draws=Draws(np.random.default_rng(seed)),
                         report=report, replication=3)
    sensors.start()
    env.run(until=until_s)
    return sensors, declared


def test_three_drains_over_their_mark_declare_one_flood_at_their_centre():
    sensors, declared = feed(drains())
    assert len(declared) == 1
    at_s, incident_type, severity, lon, lat, description = declared[0]
    assert (incident_type, severity, lat) == ("flood", "moderate", 12.966)
    assert lon == pytest.approx(77.593)   # drains 1, 2 and 3; 4 and 5 lie past the end of the stretch
    assert 900 <= at_s <= 1200 and at_s % 60 == 0   # the third crosses 0.6 m on a minute's reading
    assert "drain-1, drain-2, drain-3" in description
    raised, cleared = sensors.firings
    assert (raised.replication, raised.rule, raised.outcome, raised.result, raised.incident, raised.at_s) == (
        3, "drains-flood@v2", "raised", "declared", 1, at_s)
    assert raised.sensors == "drain-1, drain-2, drain-3" and raised.is_exercise
    assert (cleared.outcome, cleared.result, cleared.incident, cleared.episode) == (
        "cleared", "cleared", None, raised.episode)
    assert sensors.readings_sent == 5 * 60


def test_the_peak_reaching_a_band_raises_the_severity_and_the_drill_records_it():
    sensors, declared = feed(drains(peak=1.3, noise=0))
    assert [d[2] for d in declared] == ["moderate"]
    assert [(f.outcome, f.severity, f.result) for f in sensors.firings][:2] == [
        ("raised", "moderate", "declared"), ("severity_raised", "severe", "severity_raised")]


def test_a_maintenance_rule_is_recorded_but_declares_nothing():
    sensors, declared = feed(drains(rules=["blocked-drain"], noise=0))
    assert declared == []
    raised = [f for f in sensors.firings if f.outcome == "raised"]
    assert [(f.rule, f.result, f.sensors) for f in raised] == [
        ("blocked-drain@v1", "maintenance", "drain-1"), ("blocked-drain@v1", "maintenance", "drain-2"),
        ("blocked-drain@v1", "maintenance", "drain-3")]


def test_the_same_seed_gives_the_same_readings_and_another_seed_other_noise():
    first, declared = feed(drains(), seed=7)
    again, declared_again = feed(drains(), seed=7)
    other, _ = feed(drains(noise=0.3), seed=8)
    assert first.firings == again.firings and declared == declared_again
    assert first.states == again.states
    assert other.states != first.states


def test_a_rain_too_small_to_reach_the_mark_declares_nothing():
    sensors, declared = feed(drains(peak=0.5, noise=0))
    assert declared == [] and sensors.firings == []
