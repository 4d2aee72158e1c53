"""The closest-available-unit policy: what computer-aided dispatch does today.

It serves the most urgent demand first (ties in arrival order), each need with the closest
free unit that can meet it. It is the baseline the optimiser is measured against and the
fallback when the exact solver does not return an optimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from coordination.planner.assembly import Pick, plan_from_picks
from coordination.planner.candidates import DispatchProblem, build_problem
from coordination.planner.coverage import resolve_coverage, uncovered_after
from coordination.planner.demands import Demand
from coordination.planner.explanations import explain_plan
from coordination.planner.plan import DispatchOptions, Plan, PlanMethod
from coordination.planner.travel_times import TravelTimeSource
from coordination.planner.units import Unit

GREEDY_STATUS = "greedy"


def recommend_greedy(
    *,
    demands: Sequence[Demand],
    units: Sequence[Unit],
    travel: TravelTimeSource,
    options: DispatchOptions = DispatchOptions(),
    explain: bool = True,
) -> Plan:
    """Recommend units one demand at a time, closest free unit first.

    Args:
        demands: open demands, in arrival order (used to break priority ties).
        units: all units; only free ones (and pre-emptible ones, if `options` allow) are used.
        travel: seconds from unit nodes to demand nodes.
        options: maximum travel time and pre-emption threshold.
        explain: attach per-assignment explanations (a drill, which never shows them, skips them).

    Returns:
        A plan with `method=GREEDY`; never proven optimal. It ignores coverage rules, but lists
        the zones its plan leaves uncovered.
    """
    problem = build_problem(demands=demands, units=units, travel=travel, options=options)
    picks = greedy_picks(problem=problem)
    plan = plan_from_picks(problem=problem, picks=picks, method=PlanMethod.GREEDY, proven_optimal=False,
                           solver_status=GREEDY_STATUS)
    if options.coverage:
        # Closest-unit ignores coverage; report what it leaves uncovered so the plans compare.
        covers = resolve_coverage(problem=problem, travel=travel)
        plan = replace(plan, uncovered=uncovered_after(covers=covers, busy={u for _g, u, _eta in picks}))
    return explain_plan(problem=problem, plan=plan) if explain else plan


def greedy_picks(*, problem: DispatchProblem) -> list[Pick]:
    """Choose, most urgent demand first, the closest unused candidate for every unit needed."""
    used = set()
    picks: list[Pick] = []
    order = sorted(range(len(problem.groups)),
                   key=lambda g: (-problem.groups[g].priority, problem.groups[g].demand_index, g))
    for group_index in order:
        group = problem.groups[group_index]
        needed = group.count
        # Candidates are sorted by ETA, so the first unused ones are the closest.
        for unit_index, eta_s in zip(group.unit_indices.tolist(), group.eta_s.tolist()):
            if needed == 0:
                break
            if unit_index in used:
                continue
            used.add(unit_index)
            picks.append((group_index, unit_index, eta_s))
            needed -= 1
    return picks
