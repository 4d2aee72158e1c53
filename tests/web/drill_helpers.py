"""Shared by the drill page tests: a tiny, fast scenario and a wait for a drill to finish."""

from __future__ import annotations

import time

import pytest

TINY_CITY = """\
name: tiny-city
seed: 5
duration: 2h
replications: 2
engine: runtime
city:
  grid: {rows: 6, cols: 6, seed: 1}
  stations:
    - {id: north, at: [77.592, 12.974], units: {ambulance: 1, police_patrol: 1}}
incidents:
  - {type: road_accident, rate_per_hour: 3, severity: {moderate: 1}, response: {ambulance: 1}, on_scene: {exponential: 10m}}
behaviour:
  default: {acknowledge: {exponential: 2m}, complete: {exponential: 10m}, no_answer: 0.2}
"""

DRILL_TIMEOUT_S = 120.0
"""A bound on waiting, never a measured time: the drill takes seconds on an idle machine."""


def wait_until_finished(client, run_url: str) -> dict:
    deadline = time.monotonic() + DRILL_TIMEOUT_S
    while time.monotonic() < deadline:
        state = client.get(f"{run_url}/progress.json").json
        if state["finished"]:
            return state
        time.sleep(0.2)
    raise AssertionError(f"the drill at {run_url} did not finish within {DRILL_TIMEOUT_S} s")


@pytest.fixture
def reports(app, tmp_path):
    """Drill reports under the test's folder; the app's drill worker stopped after the test."""
    app.config["ICCC_DRILL_REPORTS"] = str(tmp_path / "drills")
    yield tmp_path / "drills"
    worker = app.extensions.get("iccc_drills")
    if worker is not None:
        worker.stop()
