"""The exact dispatch policy: all open demands at once, as a min-cost flow solved by OR-Tools.

The plain assignment (units to needs, each unit once, each need up to its count) is a
transportation problem, so min-cost flow solves it to proven optimality in polynomial time.
The flow network:

    unit u (supply 1) --cost priority x ETA--> need group g (demand count)
    shortfall (supply = all slots) --cost priority x BIG--> need group g
    unit u --0--> idle;  shortfall --0--> idle (demand = number of units)

The shortfall arcs make every instance feasible; with BIG larger than any achievable total
weighted response time, the optimum first leaves the least priority-weighted need unserved and
then minimises priority-weighted response time among those plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from coordination.planner.assembly import Pick, plan_from_picks
from coordination.planner.candidates import DispatchProblem, build_problem
from coordination.planner.coverage import coverage_plan
from coordination.planner.demands import Demand
from coordination.planner.explanations import explain_plan
from coordination.planner.greedy import greedy_picks
from coordination.planner.plan import DispatchOptions, Plan, PlanMethod
from coordination.planner.travel_times import TravelTimeSource
from coordination.planner.units import Unit


def recommend_optimal(
    *,
    demands: Sequence[Demand],
    units: Sequence[Unit],
    travel: TravelTimeSource,
    options: DispatchOptions = DispatchOptions(),
    explain: bool = True,
) -> Plan:
    """Recommend the plan with the least priority-weighted response time, proven optimal.

    Args:
        demands: open demands.
        units: all units; only free ones (and pre-emptible ones, if `options` allow) are used.
        travel: seconds from unit nodes to demand nodes.
        options: maximum travel time and pre-emption threshold.
        explain: attach per-assignment explanations and the greedy baseline's measures.

    Returns:
        Without coverage rules, a plan with `method=MIN_COST_FLOW` and `proven_optimal=True`;
        with them, the CP-SAT plan (`method=CP_SAT`, its proven `gap`, move-ups, and any zones
        left uncovered), or `PlanStatus.INFEASIBLE` with the best relaxed plan when a required
        rule cannot be kept. If a solver returns no plan, the greedy plan with
        `method=GREEDY_FALLBACK` and the solver's status in `solver_status`. Never raises for
        lack of units: that is `PlanStatus.PARTIAL`.
    """
    problem = build_problem(demands=demands, units=units, travel=travel, options=options)
    status, picks = solve_min_cost_flow(problem=problem)
    if options.coverage:
        flow = (plan_from_picks(problem=problem, picks=picks, method=PlanMethod.MIN_COST_FLOW, proven_optimal=True,
                                solver_status=status) if status == "OPTIMAL" else None)
        plan = coverage_plan(problem=problem, travel=travel, fallback=flow or _greedy_plan(problem), start=picks,
                             least_unserved_weight=flow.unserved_weight if flow else None)
    else:
        if status == "OPTIMAL":
            plan = plan_from_picks(problem=problem, picks=picks, method=PlanMethod.MIN_COST_FLOW,
                                   proven_optimal=True, solver_status=status)
        else:
            plan = replace(_greedy_plan(problem), method=PlanMethod.GREEDY_FALLBACK, solver_status=status)
    if not explain:
        return plan
    baseline = _greedy_plan(problem)
    plan = explain_plan(problem=problem, plan=plan)
    return _with_baseline(plan, baseline)


def solve_min_cost_flow(*, problem: DispatchProblem) -> tuple[str, list[Pick]]:
    """Solve the problem's flow network; return the solver status name and, if OPTIMAL, the picks."""
    groups = problem.groups
    if not groups:
        return "OPTIMAL", []
    unit_count = len(problem.units)
    group_base = unit_count
    shortfall = group_base + len(groups)
    idle = shortfall + 1
    total_slots = sum(g.count for g in groups)
    # Any plan's weighted response time is below sum(count x priority x worst ETA) of its groups:
    # one unit of unserved priority costs more than that, so serving comes first.
    big = 1 + sum(g.count * (int(g.arc_costs().max()) if len(g.eta_s) else 0) for g in groups)

    tails, heads, capacities, costs = [], [], [], []
    for offset, group in enumerate(groups):
        node = group_base + offset
        tails.append(group.unit_indices)
        heads.append(np.full(len(group.unit_indices), node, dtype=np.int64))
        capacities.append(np.ones(len(group.unit_indices), dtype=np.int64))
        costs.append(group.arc_costs())
    assignment_arcs = int(sum(len(t) for t in tails))
    group_nodes = np.arange(group_base, group_base + len(groups), dtype=np.int64)
    unit_nodes = np.arange(unit_count, dtype=np.int64)
    tails += [np.full(len(groups), shortfall, dtype=np.int64), unit_nodes, np.array([shortfall])]
    heads += [group_nodes, np.full(unit_count, idle, dtype=np.int64), np.array([idle])]
    capacities += [np.array([g.count for g in groups], dtype=np.int64), np.ones(unit_count, dtype=np.int64),
                   np.array([total_slots])]
    costs += [np.array([g.priority * big for g in groups], dtype=np.int64), np.zeros(unit_count, dtype=np.int64),
              np.array([0])]

    from ortools.graph.python import min_cost_flow  # loaded by the first plan, not at start-up

    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int64), np.concatenate(heads).astype(np.int64),
        np.concatenate(capacities).astype(np.int64), np.concatenate(costs).astype(np.int64),
    )
    supplies = np.concatenate([
        np.ones(unit_count, dtype=np.int64),
        -np.array([g.count for g in groups], dtype=np.int64),
        np.array([total_slots, -unit_count], dtype=np.int64),
    ])
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int64), supplies)
    status = solver.solve()
    name = status.name if hasattr(status, "name") else str(status)
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        return name, []
    flows = solver.flows(arcs[:assignment_arcs])
    picks: list[Pick] = []
    position = 0
    for offset, group in enumerate(groups):
        size = len(group.unit_indices)
        for k in np.flatnonzero(flows[position:position + size]).tolist():
            picks.append((offset, int(group.unit_indices[k]), int(group.eta_s[k])))
        position += size
    return name, picks


def _greedy_plan(problem: DispatchProblem) -> Plan:
    return plan_from_picks(problem=problem, picks=greedy_picks(problem=problem), method=PlanMethod.GREEDY,
                           proven_optimal=False, solver_status="greedy")


def _with_baseline(plan: Plan, baseline: Plan) -> Plan:
    return replace(plan, baseline_objective=baseline.objective, baseline_unserved_weight=baseline.unserved_weight)
