"""Validated against reality: the SF Fire Department's calls replayed through a drill."""

from __future__ import annotations

import math

import numpy as np

from simulation import Drill
from sop_engine import Severity
from simulation.trace import SF_CALL_TYPES, compare_replay, read_calibration, read_sf_calls, replay_scenario
from tests.simulation.conftest import SCENARIOS
from tests.conftest import shared_file

LOG = "incidents/sf_fire_calls_2020-04-07_to_04-20.csv"


def test_the_log_is_read_one_call_per_call_number_with_its_units():
    calls, units = read_sf_calls(shared_file(LOG))
    assert len(calls) == 5292  # the data's README: 5,292 calls
    assert {"ambulance", "fire_engine", "ladder"} <= {u.unit_type for u in units}
    logged = sorted(c.logged_on_scene_s for c in calls if c.logged_on_scene_s is not None)
    assert 400 <= logged[len(logged) // 2] <= 500  # the README's median received-to-on-scene: 446 s


def test_six_hours_of_calls_replay_as_exercises_beside_the_logged_times():
    """Every logged call in the window is declared at its received time as an exercise incident of
    its mapped type; the replay gives a response time for the calls whose units arrived."""
    calls, units = read_sf_calls(shared_file(LOG))
    scenario, arrivals = replay_scenario(calls, units, hours=6,
                                         calibration=read_calibration(SCENARIOS / "sf-replay-calibration.yaml"))
    records = Drill(scenario=scenario, replication=0, rng=np.random.default_rng(0), arrivals=arrivals).run()
    logged = [i for i in records.incidents if i.origin == "logged"]
    assert len(logged) == len(arrivals) > 50
    assert all(i.is_exercise for i in records.incidents)
    assert [i.incident_type for i in logged] == [SF_CALL_TYPES.get(c.call_type, "tree_fall")
                                                 for c in calls[:len(logged)]]
    table = compare_replay(calls, records).percentiles()
    assert all(math.isfinite(v) for values in table.values() for v in values)
    medical = [i for i in logged if i.incident_type == "medical_emergency"]
    assert medical and all(i.sop.startswith("medical-emergency@v") for i in medical)


def test_the_calibration_drives_emergencies_faster_and_rolls_each_unit_type_after_its_turnout():
    """Lights and sirens (severe) and normal traffic (moderate) get their own speed factors; each
    unit type its own turnout, as the calibration file says."""
    calibration = read_calibration(SCENARIOS / "sf-replay-calibration.yaml")
    calls, units = read_sf_calls(shared_file(LOG))
    scenario, _arrivals = replay_scenario(calls, units, hours=1, calibration=calibration)
    factors = scenario.city.speed_factor_by_severity
    assert factors[Severity.SEVERE] < factors[Severity.MODERATE]
    assert (scenario.city.turnout_by_unit_type["ambulance"].mean_s
            < scenario.city.turnout_by_unit_type["fire_engine"].mean_s)
