"""The dispatch policies: the exact optimiser is never worse than closest-unit, and is optimal.

Hand-made instances use a travel-time table with whole seconds, so every number is exact.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from coordination.planner import (
    DispatchOptions,
    PlanMethod,
    PlanStatus,
    UnitStatus,
    UnservedNeed,
    UnservedReason,
    recommend_greedy,
    recommend_optimal,
)
from coordination.planner import optimiser as optimiser_module
from coordination.errors import InvalidInput

from dispatch_fakes import TableTravel, make_demand, make_unit

EXTREME = 8


def surge():
    """Two extreme incidents, two ambulances. A is closest to both; B is close to I1 only.

    Closest-unit, I1 first, sends A to I1 (60 s) and leaves B for I2 (900 s).
    Sending B to I1 (90 s) and A to I2 (120 s) costs 30 s at I1 and saves 780 s at I2.
    """
    demands = [make_demand("I1", {"ambulance": 1}, priority=EXTREME),
               make_demand("I2", {"ambulance": 1}, priority=EXTREME)]
    units = [make_unit("A"), make_unit("B")]
    travel = TableTravel({("A", "I1"): 60, ("A", "I2"): 120, ("B", "I1"): 90, ("B", "I2"): 900})
    return demands, units, travel


def test_under_surge_closest_unit_strips_the_area_and_the_optimiser_does_not():
    demands, units, travel = surge()
    greedy = recommend_greedy(demands=demands, units=units, travel=travel)
    optimal = recommend_optimal(demands=demands, units=units, travel=travel)

    assert [(a.unit_id, a.incident_id, a.eta_s) for a in greedy.assignments] == [("A", "I1", 60), ("B", "I2", 900)]
    assert greedy.objective == 8 * 60 + 8 * 900 == 7680
    assert [(a.unit_id, a.incident_id, a.eta_s) for a in optimal.assignments] == [("B", "I1", 90), ("A", "I2", 120)]
    assert optimal.objective == 8 * 90 + 8 * 120 == 1680
    assert optimal.status is PlanStatus.COMPLETE and optimal.proven_optimal
    assert optimal.method is PlanMethod.MIN_COST_FLOW and optimal.solver_status == "OPTIMAL"
    assert (optimal.baseline_objective, optimal.baseline_unserved_weight) == (7680, 0)


def test_each_assignment_explains_what_the_closest_unit_would_have_cost():
    demands, units, travel = surge()
    plan = recommend_optimal(demands=demands, units=units, travel=travel)
    by_unit = {e.unit_id: e for e in plan.explanations}

    b = by_unit["B"]
    assert (b.rank, b.closest_unit_id, b.closest_eta_s, b.extra_s, b.closest_sent_to) == (2, "A", 60, 30, "I2")
    assert "A" in b.text and "30 s sooner" in b.text and "I2" in b.text
    a = by_unit["A"]
    assert (a.rank, a.closest_unit_id, a.extra_s, a.closest_sent_to) == (1, "A", 0, "")
    assert "closest" in a.text


def test_closest_unit_explains_its_plan_unless_asked_not_to():
    demands, units, travel = surge()
    explained = recommend_greedy(demands=demands, units=units, travel=travel)
    bare = recommend_greedy(demands=demands, units=units, travel=travel, explain=False)

    assert [e.unit_id for e in explained.explanations] == ["A", "B"]
    assert bare.explanations == ()
    assert bare.assignments == explained.assignments and bare.objective == explained.objective


def test_a_shortage_is_a_partial_plan_that_serves_the_most_urgent_first():
    """One ambulance, two incidents: the extreme one gets it even though it is farther away."""
    demands = [make_demand("minor", {"ambulance": 1}, priority=1),
               make_demand("extreme", {"ambulance": 1}, priority=EXTREME)]
    travel = TableTravel({("A", "minor"): 30, ("A", "extreme"): 600})
    plan = recommend_optimal(demands=demands, units=[make_unit("A")], travel=travel)

    assert plan.status is PlanStatus.PARTIAL
    assert [(a.unit_id, a.incident_id) for a in plan.assignments] == [("A", "extreme")]
    assert plan.unserved == (UnservedNeed("minor", "ambulance", 1, UnservedReason.UNITS_EXHAUSTED),)
    assert (plan.objective, plan.unserved_weight) == (8 * 600, 1)


def test_unserved_needs_say_whether_no_such_unit_exists_or_none_is_in_reach():
    demands = [make_demand("flood", {"rescue_boat": 2, "ambulance": 1}, priority=4)]
    units = [make_unit("A"), make_unit("E", "fire_engine")]
    travel = TableTravel({("A", "flood"): 2000, ("E", "flood"): 100})
    plan = recommend_optimal(demands=demands, units=units, travel=travel, options=DispatchOptions(max_travel_s=900))

    assert plan.assignments == ()
    assert set(plan.unserved) == {
        UnservedNeed("flood", "rescue_boat", 2, UnservedReason.NO_UNIT_OF_TYPE),
        UnservedNeed("flood", "ambulance", 1, UnservedReason.OUT_OF_REACH),
    }
    assert plan.unserved_weight == 3 * 4


def test_unreachable_units_are_never_recommended():
    demands = [make_demand("island", {"ambulance": 1})]
    plan = recommend_optimal(demands=demands, units=[make_unit("A")], travel=TableTravel({}))
    assert plan.unserved == (UnservedNeed("island", "ambulance", 1, UnservedReason.OUT_OF_REACH),)


def test_a_unit_en_route_to_minor_work_is_diverted_only_above_the_threshold():
    en_route = make_unit("A", status=UnitStatus.EN_ROUTE, committed_priority=1)
    travel = TableTravel({("A", "cardiac"): 120, ("A", "sprain"): 60})
    cardiac = [make_demand("cardiac", {"ambulance": 1}, priority=EXTREME)]
    sprain = [make_demand("sprain", {"ambulance": 1}, priority=2)]
    options = DispatchOptions(preempt_min_priority=4)

    never = recommend_optimal(demands=cardiac, units=[en_route], travel=travel)
    diverted = recommend_optimal(demands=cardiac, units=[en_route], travel=travel, options=options)
    below = recommend_optimal(demands=sprain, units=[en_route], travel=travel, options=options)

    assert never.unserved[0].reason is UnservedReason.NO_UNIT_OF_TYPE
    assert [(a.unit_id, a.preempted) for a in diverted.assignments] == [("A", True)]
    assert below.assignments == ()


def test_units_on_scene_or_out_of_service_are_not_recommended():
    units = [make_unit("A", status=UnitStatus.ON_SCENE), make_unit("B", status=UnitStatus.OUT_OF_SERVICE),
             make_unit("C", status=UnitStatus.RETURNING)]
    travel = TableTravel({("A", "I"): 1, ("B", "I"): 1, ("C", "I"): 500})
    plan = recommend_optimal(demands=[make_demand("I", {"ambulance": 1})], units=units, travel=travel)
    assert [a.unit_id for a in plan.assignments] == ["C"]


def test_a_capability_need_is_met_by_any_unit_that_has_it():
    units = [make_unit("E", "fire_engine", capabilities=frozenset({"hazmat"})), make_unit("A")]
    travel = TableTravel({("E", "leak"): 300, ("A", "leak"): 100})
    plan = recommend_optimal(demands=[make_demand("leak", {"hazmat": 1, "ambulance": 1})], units=units,
                             travel=travel)
    assert sorted((a.need, a.unit_id) for a in plan.assignments) == [("ambulance", "A"), ("hazmat", "E")]


def test_if_the_solver_does_not_report_an_optimum_the_greedy_plan_is_returned_and_labelled(monkeypatch):
    demands, units, travel = surge()
    monkeypatch.setattr(optimiser_module, "solve_min_cost_flow", lambda *, problem: ("BAD_COST_RANGE", []))
    plan = recommend_optimal(demands=demands, units=units, travel=travel)
    assert plan.method is PlanMethod.GREEDY_FALLBACK and not plan.proven_optimal
    assert plan.solver_status == "BAD_COST_RANGE" and plan.objective == 7680


def test_no_demands_is_an_empty_complete_plan():
    plan = recommend_optimal(demands=[], units=[make_unit("A")], travel=TableTravel({}))
    assert plan.status is PlanStatus.COMPLETE and plan.assignments == () and plan.objective == 0


def test_duplicate_incident_ids_are_refused():
    with pytest.raises(InvalidInput):
        recommend_optimal(demands=[make_demand("I", {"ambulance": 1}), make_demand("I", {"ambulance": 1})],
                          units=[], travel=TableTravel({}))


def brute_force_optimum(demands, units, travel, max_travel_s=None):
    """(unserved weight, weighted response time) of the best plan, by trying every assignment."""
    slots = [(d, need) for d in demands for need, count in d.needs for _ in range(count)]
    eta = {}
    for d in demands:
        for unit, seconds in zip(units, travel.travel_s_to(target=d.node, origins=[u.node for u in units])):
            if math.isfinite(seconds) and (max_travel_s is None or seconds <= max_travel_s):
                eta[(unit.id, d.incident_id)] = int(seconds)
    best = None
    for choice in itertools.product([None, *units], repeat=len(slots)):
        chosen = [u.id for u in choice if u is not None]
        if len(chosen) != len(set(chosen)):
            continue
        unserved, weighted = 0, 0
        for (demand, need), unit in zip(slots, choice):
            if unit is None:
                unserved += demand.priority
            elif unit.can_meet(need) and (unit.id, demand.incident_id) in eta:
                weighted += demand.priority * eta[(unit.id, demand.incident_id)]
            else:
                break
        else:
            if best is None or (unserved, weighted) < best:
                best = (unserved, weighted)
    return best


def random_instance(rng: random.Random):
    kinds = ["ambulance", "fire_engine"]
    demands = []
    slots_left = 5
    for number in range(rng.randint(1, 3)):
        needs = {}
        for kind in kinds:
            count = min(rng.randint(0, 2), slots_left)
            slots_left -= count
            needs[kind] = count
        if any(needs.values()):
            demands.append(make_demand(f"I{number}", needs, priority=rng.choice([1, 2, 4, 8])))
    units = [make_unit(f"U{n}", rng.choice(kinds)) for n in range(rng.randint(1, 5))]
    table = {(u.id, d.incident_id): rng.randint(30, 1200) for u in units for d in demands if rng.random() < 0.85}
    return demands, units, TableTravel(table)


@pytest.mark.parametrize("seed", range(40))
def test_the_optimiser_equals_the_brute_force_optimum_and_never_loses_to_greedy(seed):
    rng = random.Random(seed)
    demands, units, travel = random_instance(rng)
    max_travel_s = rng.choice([None, 800])
    options = DispatchOptions(max_travel_s=max_travel_s)

    optimal = recommend_optimal(demands=demands, units=units, travel=travel, options=options)
    greedy = recommend_greedy(demands=demands, units=units, travel=travel, options=options)

    assert (optimal.unserved_weight, optimal.objective) == brute_force_optimum(demands, units, travel, max_travel_s)
    assert (optimal.unserved_weight, optimal.objective) <= (greedy.unserved_weight, greedy.objective)
    assert len({a.unit_id for a in optimal.assignments}) == len(optimal.assignments)
