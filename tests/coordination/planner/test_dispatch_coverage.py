"""Coverage, move-ups and costed pre-emption: the side constraints solved by CP-SAT.

Zones are road nodes; the travel-time table says which units and standby points reach them.
"""

from __future__ import annotations

import random

import pytest

from coordination.planner import (
    CoverageRule,
    DispatchOptions,
    MoveUp,
    PlanMethod,
    PlanStatus,
    UncoveredZone,
    UnitStatus,
    recommend_greedy,
    recommend_optimal,
)
from coordination.planner import coverage as coverage_module

from dispatch_fakes import TableTravel, make_demand, make_unit

EXTREME = 8


def two_zones():
    """A covers Z1 and is 100 s from the incident; B alone covers Z2 and is closest (60 s); C covers Z1."""
    units = [make_unit("A"), make_unit("B"), make_unit("C")]
    travel = TableTravel({("A", "I"): 100, ("B", "I"): 60, ("C", "I"): 900,
                          ("A", "Z1"): 200, ("C", "Z1"): 250, ("B", "Z2"): 100, ("A", "Z2"): 700})
    rule = CoverageRule(need="ambulance", within_s=300, zones=("Z1", "Z2"))
    return [make_demand("I", {"ambulance": 1}, priority=4)], units, travel, rule


def test_coverage_keeps_the_only_unit_near_a_zone_at_home():
    demands, units, travel, rule = two_zones()
    plain = recommend_optimal(demands=demands, units=units, travel=travel)
    covered = recommend_optimal(demands=demands, units=units, travel=travel,
                                options=DispatchOptions(coverage=(rule,)))
    greedy = recommend_greedy(demands=demands, units=units, travel=travel, options=DispatchOptions(coverage=(rule,)))

    assert [a.unit_id for a in plain.assignments] == ["B"]
    assert [a.unit_id for a in covered.assignments] == ["A"] and covered.uncovered == ()
    assert covered.method is PlanMethod.CP_SAT and covered.proven_optimal and covered.gap == 0.0
    assert covered.status is PlanStatus.COMPLETE
    assert greedy.uncovered == (UncoveredZone(need="ambulance", zone="Z2", required=False),)


def test_a_free_unit_moves_up_to_fill_the_gap_a_dispatch_leaves():
    units = [make_unit("A"), make_unit("B")]
    travel = TableTravel({("A", "I"): 60, ("B", "I"): 800, ("A", "Z1"): 100, ("S", "Z1"): 120, ("B", "S"): 200})
    rule = CoverageRule(need="ambulance", within_s=300, zones=("Z1",), standby_nodes=("S",))
    plan = recommend_optimal(demands=[make_demand("I", {"ambulance": 1}, priority=4)], units=units, travel=travel,
                             options=DispatchOptions(coverage=(rule,)))
    assert [a.unit_id for a in plan.assignments] == ["A"]
    assert plan.move_ups == (MoveUp(unit_id="B", to_node="S", travel_s=200, need="ambulance", zones=("Z1",)),)
    assert plan.uncovered == ()


def test_a_required_rule_that_cannot_hold_is_an_infeasible_result_with_the_best_relaxed_plan():
    demands, units, travel, rule = two_zones()
    required = CoverageRule(need="ambulance", within_s=300, zones=("Z1", "Z2", "nowhere"), required=True)
    plan = recommend_optimal(demands=demands, units=units, travel=travel, options=DispatchOptions(coverage=(required,)))
    assert plan.status is PlanStatus.INFEASIBLE and not plan.proven_optimal
    assert [a.unit_id for a in plan.assignments] == ["A"]
    assert plan.uncovered == (UncoveredZone(need="ambulance", zone="nowhere", required=True),)


def test_a_required_rule_holds_a_unit_back_even_from_an_extreme_incident():
    units = [make_unit("A")]
    travel = TableTravel({("A", "I"): 60, ("A", "Z1"): 100})
    rule = CoverageRule(need="ambulance", within_s=300, zones=("Z1",), required=True)
    plan = recommend_optimal(demands=[make_demand("I", {"ambulance": 1}, priority=EXTREME)], units=units,
                             travel=travel, options=DispatchOptions(coverage=(rule,)))
    assert plan.status is PlanStatus.PARTIAL and plan.assignments == () and plan.uncovered == ()


def test_without_a_plan_in_time_the_greedy_plan_is_returned_labelled_with_what_it_uncovers(monkeypatch):
    demands, units, travel, rule = two_zones()
    monkeypatch.setattr(coverage_module, "solve_with_coverage", lambda **_: ("UNKNOWN", None))
    plan = recommend_optimal(demands=demands, units=units, travel=travel, options=DispatchOptions(coverage=(rule,)))
    assert plan.method is PlanMethod.GREEDY_FALLBACK and plan.solver_status == "UNKNOWN" and plan.gap is None
    assert [a.unit_id for a in plan.assignments] == ["B"]
    assert plan.uncovered == (UncoveredZone(need="ambulance", zone="Z2", required=False),)


@pytest.mark.parametrize("cost_s, diverted", [(600, False), (0, True)])
def test_diverting_a_unit_costs_its_present_incidents_priority(cost_s, diverted):
    """A is 60 s away but en route to a priority-2 call; B is free, 200 s away.

    Diverting A saves 8 x 140 = 1120 priority-seconds at the extreme incident; at 600 s per
    unit of priority the diversion costs 1200, so B goes; if diverting were free, A would.
    """
    units = [make_unit("A", status=UnitStatus.EN_ROUTE, committed_priority=2), make_unit("B")]
    travel = TableTravel({("A", "I"): 60, ("B", "I"): 200})
    options = DispatchOptions(preempt_min_priority=EXTREME, preempt_cost_s=cost_s)
    plan = recommend_optimal(demands=[make_demand("I", {"ambulance": 1}, priority=EXTREME)], units=units,
                             travel=travel, options=options)
    assert [(a.unit_id, a.preempted) for a in plan.assignments] == ([("A", True)] if diverted else [("B", False)])
    assert plan.preemption_cost == (2 * cost_s if diverted else 0)


@pytest.mark.parametrize("seed", range(12))
def test_cp_sat_with_a_rule_that_cannot_bind_finds_the_flow_optimum(seed):
    rng = random.Random(seed)
    demands = [make_demand(f"I{n}", {"ambulance": rng.randint(1, 2), "fire_engine": rng.randint(0, 1)},
                           priority=rng.choice([1, 2, 4, 8])) for n in range(3)]
    units = [make_unit(f"U{n}", rng.choice(["ambulance", "fire_engine"])) for n in range(6)]
    travel = TableTravel({(u.id, d.incident_id): rng.randint(30, 1200) for u in units for d in demands})
    idle_rule = CoverageRule(need="rescue_boat", within_s=600, zones=("lake",))
    flow = recommend_optimal(demands=demands, units=units, travel=travel)
    cp_sat = recommend_optimal(demands=demands, units=units, travel=travel,
                               options=DispatchOptions(coverage=(idle_rule,)))
    assert cp_sat.method is PlanMethod.CP_SAT and cp_sat.proven_optimal
    assert (cp_sat.unserved_weight, cp_sat.objective) == (flow.unserved_weight, flow.objective)
