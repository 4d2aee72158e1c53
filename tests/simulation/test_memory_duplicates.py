"""A trigger rule's report near an open incident of its type is linked to it, in memory as in the
store (`coordination.duplicates`): within 300 m and 2 hours."""

from __future__ import annotations

import pytest
import simpy

from simulation import load_scenario
from simulation.runtime_world import RuntimeWorld
from simulation.services_world import ServicesWorld
from simulation.sim_clock import SimClock
from coordination.rules import RuleRef
from sop_engine import Severity

SCENARIO = """\
name: duplicates
duration: 4h
city:
  grid: {rows: 3, cols: 3}
  stations: [{id: depot, at: [77.59, 12.97], units: {ambulance: 1}}]
"""
RULE = RuleRef("drains-flood", 1)


@pytest.fixture(params=[RuntimeWorld, ServicesWorld], ids=["memory", "store"])
def world(request, tmp_path):
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.yaml")
    env = simpy.Environment()
    made = request.param(scenario, SimClock(env, scenario.start))
    yield made, env
    made.close()


def report(world, incident_type="flood", lon=77.5900, lat=12.9700):
    key, linked, _changes = world.report(incident_type=incident_type, severity=Severity.MODERATE, lon=lon, lat=lat,
                                         description="drains over their mark", rule=RULE)
    return key, linked


def test_a_report_near_an_open_incident_of_its_type_is_linked_to_it(world):
    flood_world, env = world
    first, linked = report(flood_world)
    assert not linked
    env.run(until=3600)
    assert report(flood_world, lon=77.5920) == (first, True)                  # 217 m away
    assert report(flood_world, lon=77.5940)[1] is False                       # 433 m away: another flood
    assert report(flood_world, incident_type="waterlogging")[1] is False      # another type


def test_after_the_window_a_report_is_a_new_incident(world):
    flood_world, env = world
    first, _ = report(flood_world)
    env.run(until=2 * 3600 + 1)
    again, linked = report(flood_world)
    assert not linked and again != first
