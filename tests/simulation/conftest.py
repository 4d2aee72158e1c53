"""Fixtures for drills: small scenarios that run in a few seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "simulation" / "scenarios"

SMALL_CITY = """\
name: test-city
seed: 11
duration: 90m
replications: 2
engine: services          # these tests speak of the production services; test_engine holds runtime to them
city:
  grid: {rows: 8, cols: 8, seed: 3}
  stations:
    - {id: north, at: [77.592, 12.974], units: {ambulance: 1, police_patrol: 1, fire_engine: 1}}
    - {id: south, at: [77.597, 12.969], units: {ambulance: 1, police_patrol: 1}}
incidents:
  - type: road_accident
    rate_per_hour: 4
    severity: {moderate: 0.6, severe: 0.4}
    response: {ambulance: 1, police_patrol: 1}
    on_scene: {exponential: 15m}
scripted:
  - {at: 20m, type: flood, severity: severe, place: [77.594, 12.971]}
cascades:
  - {from: flood, to: power_outage, probability: 1, after: 5m}
behaviour:
  default: {acknowledge: {exponential: 2m}, complete: {exponential: 10m}, no_answer: 0.15}
"""


@pytest.fixture
def small_city_file(tmp_path) -> Path:
    path = tmp_path / "city.yaml"
    path.write_text(SMALL_CITY, encoding="utf-8")
    return path


@pytest.fixture
def small_city(small_city_file) -> Scenario:
    """Two stations on an 8 x 8 grid, road accidents, a scripted flood that cascades, 90 minutes."""
    return load_scenario(small_city_file)
