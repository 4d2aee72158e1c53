"""Remembered dispatch plans: the same situation is answered once by the policy, whatever its incidents are called."""

from __future__ import annotations

from coordination.dispatch import Demand, Unit, UnitStatus, recommend_greedy
from simulation.city import ZeroTravel
from simulation.plan_memo import PlanMemo


def _policy(calls: list):
    def plan(demands, units):
        calls.append([d.incident_id for d in demands])
        return recommend_greedy(demands=demands, units=units, travel=ZeroTravel())
    return plan


UNITS = (Unit(id="depot/ambulance-1", agency_id="health", unit_type="ambulance", node=0),
         Unit(id="depot/ambulance-2", agency_id="health", unit_type="ambulance", node=0,
              status=UnitStatus.ON_SCENE))


def test_a_situation_seen_before_is_answered_without_asking_the_policy_again():
    calls: list = []
    memo = PlanMemo(_policy(calls))
    first = memo.assignments([Demand(incident_id="7:initial", node=3, needs=(("ambulance", 1),), priority=2)], UNITS)
    again = memo.assignments([Demand(incident_id="8:initial", node=3, needs=(("ambulance", 1),), priority=2)], UNITS)
    assert first == again == ((0, "depot/ambulance-1", "ambulance"),)
    assert calls == [["7:initial"]] and (memo.asked, memo.computed) == (2, 1)


def test_another_place_or_another_fleet_state_is_a_new_question():
    calls: list = []
    memo = PlanMemo(_policy(calls))
    demand = Demand(incident_id="1:initial", node=3, needs=(("ambulance", 1),), priority=2)
    memo.assignments([demand], UNITS)
    memo.assignments([Demand(incident_id="2:initial", node=4, needs=(("ambulance", 1),), priority=2)], UNITS)
    busy = (UNITS[0], Unit(id="depot/ambulance-2", agency_id="health", unit_type="ambulance", node=0))
    assert memo.assignments([demand], busy) == ((0, "depot/ambulance-1", "ambulance"),)
    assert memo.computed == 3
