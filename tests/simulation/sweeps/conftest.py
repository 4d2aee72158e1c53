"""Fixtures for sweeps: a tiny city whose replications take a few milliseconds each."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_CITY = """\
name: tiny-city
seed: 5
duration: 1h
city:
  grid: {rows: 5, cols: 5, seed: 1}
  stations:
    - {id: east, at: [77.596, 12.972], units: {ambulance: 1, police_patrol: 1}}
    - {id: west, at: [77.592, 12.970], units: {ambulance: 1}}
incidents:
  - type: road_accident
    rate_per_hour: 5
    severity: {moderate: 0.5, severe: 0.5}
    response: {ambulance: 1}
    on_scene: {exponential: 20m}
behaviour:
  default: {acknowledge: {exponential: 1m}, complete: {exponential: 5m}}
"""

TINY_SWEEP = """\
name: tiny-sweep
scenario: city.yaml
replications: 3
vary:
  fleet:
    - {station: east, unit_type: ambulance, counts: [1, 2, 3]}
targets:
  - {kpi: "response_s.p90 | all", at_most: 30m}
"""


@pytest.fixture
def sweep_folder(tmp_path) -> Path:
    (tmp_path / "city.yaml").write_text(TINY_CITY, encoding="utf-8")
    return tmp_path


@pytest.fixture
def write_sweep(sweep_folder):
    """Write a sweep file beside the tiny city; return its path."""
    def write(text: str = TINY_SWEEP, name: str = "tiny.sweep.yaml") -> Path:
        path = sweep_folder / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
