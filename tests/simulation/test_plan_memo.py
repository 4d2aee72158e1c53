"""Remembered dispatch plans: the same situation is answered once by the policy."""

from __future__ import annotations

from coordination.planner import Unit, UnitStatus, recommend_greedy
from simulation.city import ZeroTravel
from simulation.plan_memo import PlanMemo


def _policy(calls: list):
    def plan(demands, units):
        calls.append([(d.incident_id, d.node) for d in demands])
        return recommend_greedy(demands=demands, units=units, travel=ZeroTravel())
    return plan


UNITS = (Unit(id="depot/ambulance-1", agency_id="health", unit_type="ambulance", node=0),
         Unit(id="depot/ambulance-2", agency_id="health", unit_type="ambulance", node=0,
              status=UnitStatus.ON_SCENE))


def test_a_situation_seen_before_is_answered_without_asking_the_policy_again():
    calls: list = []
    memo = PlanMemo(_policy(calls))
    first = memo.assignments([(3, (("ambulance", 1),), 2)], UNITS)
    again = memo.assignments([(3, (("ambulance", 1),), 2)], UNITS)
    assert first == again == ((0, "depot/ambulance-1", "ambulance"),)
    assert calls == [[("0", 3)]] and (memo.asked, memo.computed) == (2, 1)


def test_assignments_name_the_demands_by_their_position_in_the_situation():
    memo = PlanMemo(_policy([]))
    low, high = (3, (("ambulance", 1),), 1), (4, (("ambulance", 1),), 8)
    # One free unit: the policy serves the more urgent demand, the second in the list.
    assert memo.assignments([low, high], UNITS) == ((1, "depot/ambulance-1", "ambulance"),)


def test_another_place_or_another_fleet_state_is_a_new_question():
    calls: list = []
    memo = PlanMemo(_policy(calls))
    demand = (3, (("ambulance", 1),), 2)
    memo.assignments([demand], UNITS)
    memo.assignments([(4, (("ambulance", 1),), 2)], UNITS)
    busy = (UNITS[0], Unit(id="depot/ambulance-2", agency_id="health", unit_type="ambulance", node=0))
    assert memo.assignments([demand], busy) == ((0, "depot/ambulance-1", "ambulance"),)
    assert memo.computed == 3
