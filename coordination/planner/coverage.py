"""Dispatch with coverage: keep a free unit of a type within T of every zone, moving units up if need be.

The plain assignment is a flow problem; "after dispatch, every zone still has a free unit
within T" is not (it couples the units left behind), so this model is solved by OR-Tools
CP-SAT, time-limited, and reports the proven gap of the plan it returns:

    x[g,u] = 1   unit u serves need group g        short[g] = units group g goes without
    m[u,p] = 1   free unit u moves up to standby p (each unit serves or moves at most once)
    for each rule and zone z:  units that stay free within T of z + units moved to a standby
                               within T of z + uncovered[z] >= 1   (uncovered[z] = 0 if required)

    minimise  BIG x sum(priority x short)  +  sum(priority x ETA + pre-emption cost) x x
              + sum(uncovered cost x uncovered)  +  sum(move-up seconds x m)

BIG exceeds everything after it, so serving the most priority comes first, as in the flow model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from coordination.planner.assembly import Pick, plan_from_picks
from coordination.planner.candidates import DispatchProblem
from coordination.planner.plan import CoverageRule, MoveUp, Plan, PlanMethod, PlanStatus, UncoveredZone
from coordination.planner.travel_times import TravelTimeSource
from coordination.planner.units import ASSIGNABLE_STATUSES

SOLVER_WORKERS = 1
"""One search worker: the plan is the same on every run with the same input (and the machine is shared)."""

SOLVER_SEED = 0

SOLVER_LINEARIZATION = 2
"""Give CP-SAT the full LP relaxation: assignment has a tight one, and with it one worker proves
optimality in about half a second on 120 units and 40 incidents, where the default stalls at a
17 % gap after five seconds (measured with bench/dispatch_scenarios' surge)."""


@dataclass(frozen=True)
class RuleCover:
    """One coverage rule, resolved against the units and the road network."""

    rule: CoverageRule
    zone_covers: tuple[frozenset[int], ...]
    """Per zone: pool positions of the free units meeting the need within T of it."""
    moves: tuple[tuple[int, int, int], ...]
    """Candidate move-ups: (unit position, standby index, travel seconds)."""
    standby_covers: tuple[frozenset[int], ...]
    """Per standby point: the zones within T of it."""


def resolve_coverage(*, problem: DispatchProblem, travel: TravelTimeSource) -> tuple[RuleCover, ...]:
    """Work out, for each rule, which free units cover which zones and where units may move up to.

    One search per zone and per standby point, on the same travel-time source as the dispatch.
    """
    units = problem.units
    origins = [u.node for u in units]
    free = [u.status in ASSIGNABLE_STATUSES for u in units]
    resolved = []
    for rule in problem.options.coverage:
        fit = np.array([f and u.can_meet(rule.need) for u, f in zip(units, free)], dtype=bool)
        zone_covers = []
        standby_to_zone = np.zeros((len(rule.standby_nodes), len(rule.zones)), dtype=bool)
        for z, zone in enumerate(rule.zones):
            to_zone = travel.travel_s_to(target=zone, origins=origins) if units else np.zeros(0)
            zone_covers.append(frozenset(np.flatnonzero(fit & (to_zone <= rule.within_s)).tolist()))
            if rule.standby_nodes:
                standby_to_zone[:, z] = travel.travel_s_to(target=zone, origins=list(rule.standby_nodes)) <= rule.within_s
        standby_covers = tuple(frozenset(np.flatnonzero(row).tolist()) for row in standby_to_zone)
        moves = []
        for p, standby in enumerate(rule.standby_nodes):
            if not standby_covers[p] or not fit.any():
                continue
            to_standby = travel.travel_s_to(target=standby, origins=origins)
            for u in np.flatnonzero(fit & np.isfinite(to_standby) & (to_standby > 0)).tolist():
                moves.append((u, p, int(math.ceil(to_standby[u] - 1e-9))))
        resolved.append(RuleCover(rule=rule, zone_covers=tuple(zone_covers), moves=tuple(moves),
                                  standby_covers=standby_covers))
    return tuple(resolved)


def uncovered_after(*, covers: Sequence[RuleCover], busy: set[int]) -> tuple[UncoveredZone, ...]:
    """The zones a plan leaves uncovered if the units at positions `busy` go and nobody moves up."""
    return tuple(
        UncoveredZone(need=cover.rule.need, zone=zone, required=cover.rule.required)
        for cover in covers for zone, units in zip(cover.rule.zones, cover.zone_covers) if not units - busy
    )


def solve_with_coverage(*, problem: DispatchProblem, covers: Sequence[RuleCover], relax_required: bool = False,
                        start: Sequence[Pick] = (), least_unserved_weight: int | None = None
                        ) -> tuple[str, Plan | None]:
    """Build and solve the CP-SAT model; return the solver status name and the plan (None if it has none).

    Args:
        start: a plan to start the search from (the flow optimum): CP-SAT then never returns
            anything worse on the measures it shares, only trades response time for coverage.
        least_unserved_weight: the flow optimum's unserved weight. Without a required rule,
            coverage never stops a unit from serving, so this is the least any plan can leave
            unserved; it is fixed as a constraint, which removes BIG from the objective and
            makes the reported gap a gap on response, pre-emption, coverage and move-up costs.
    """
    # CP-SAT (and the pandas it imports) costs about 2.5 s to load: loaded by the first coverage
    # plan, not by every process that imports the planner (`iccc --help`, `iccc serve`).
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    started = {(g, u) for g, u, _eta in start}
    used: list[list] = [[] for _ in problem.units]
    costs: list[tuple[int, object]] = []
    shortfalls: list[tuple[int, object]] = []
    big = 1
    arcs: list[tuple[int, int, int, object]] = []
    for g, group in enumerate(problem.groups):
        arc_costs = group.arc_costs()
        chosen = []
        for k, (u, eta_s) in enumerate(zip(group.unit_indices.tolist(), group.eta_s.tolist())):
            x = model.new_bool_var(f"x_{g}_{u}")
            if start:
                model.add_hint(x, (g, u) in started)
            arcs.append((g, u, eta_s, x))
            used[u].append(x)
            chosen.append(x)
            costs.append((int(arc_costs[k]), x))
        short = model.new_int_var(0, group.count, f"short_{g}")
        model.add(sum(chosen) + short == group.count)
        shortfalls.append((group.priority, short))
        big += group.count * (int(arc_costs.max()) if len(arc_costs) else 0)
    moves: list[tuple[RuleCover, int, int, int, object]] = []
    arriving: list[dict[int, list]] = []
    for r, cover in enumerate(covers):
        by_standby: dict[int, list] = {}
        for u, p, travel_s in cover.moves:
            m = model.new_bool_var(f"m_{r}_{u}_{p}")
            moves.append((cover, u, p, travel_s, m))
            used[u].append(m)
            by_standby.setdefault(p, []).append(m)
            costs.append((travel_s, m))
        arriving.append(by_standby)
        big += max((t for _u, _p, t in cover.moves), default=0) * len(problem.units)
    for used_by in used:
        if len(used_by) > 1:
            model.add(sum(used_by) <= 1)
    # Every move-up exists before the cover constraints read which units stay put.
    for r, cover in enumerate(covers):
        for z, units in enumerate(cover.zone_covers):
            stays = [1 - sum(used[u]) for u in sorted(units)]
            arrivals = [m for p, covered in enumerate(cover.standby_covers) if z in covered
                        for m in arriving[r].get(p, [])]
            if cover.rule.required and not relax_required:
                model.add(sum(stays) + sum(arrivals) >= 1)
            else:
                uncovered = model.new_bool_var(f"uncovered_{r}_{z}")
                model.add(sum(stays) + sum(arrivals) + uncovered >= 1)
                costs.append((cover.rule.uncovered_cost, uncovered))
                big += cover.rule.uncovered_cost
    unserved = sum(priority * short for priority, short in shortfalls)
    binding = any(cover.rule.required for cover in covers) and not relax_required
    if least_unserved_weight is not None and not binding:
        model.add(unserved == least_unserved_weight)
        model.minimize(sum(cost * var for cost, var in costs))
    else:
        model.minimize(big * unserved + sum(cost * var for cost, var in costs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = problem.options.time_limit_s
    solver.parameters.num_workers = SOLVER_WORKERS
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.linearization_level = SOLVER_LINEARIZATION
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return name, None
    picks: list[Pick] = [(g, u, eta_s) for g, u, eta_s, x in arcs if solver.boolean_value(x)]
    chosen_moves = [(cover, u, p, travel_s) for cover, u, p, travel_s, m in moves if solver.boolean_value(m)]
    move_ups = tuple(
        MoveUp(unit_id=problem.units[u].id, to_node=cover.rule.standby_nodes[p], travel_s=travel_s,
               need=cover.rule.need, zones=tuple(cover.rule.zones[z] for z in sorted(cover.standby_covers[p])))
        for cover, u, p, travel_s in chosen_moves
    )
    busy = {u for _g, u, _eta in picks} | {u for _c, u, _p, _t in chosen_moves}
    uncovered = tuple(zone for zone in uncovered_after(covers=covers, busy=busy)
                      if not _reached_by_move_up(zone, move_ups))
    optimal = status == cp_model.OPTIMAL
    value, bound = solver.objective_value, solver.best_objective_bound
    gap = 0.0 if optimal else (value - bound) / max(1.0, abs(value))
    plan = plan_from_picks(problem=problem, picks=picks, method=PlanMethod.CP_SAT, proven_optimal=optimal,
                           solver_status=name)
    return name, replace(plan, move_ups=move_ups, uncovered=uncovered, gap=gap)


def _reached_by_move_up(zone: UncoveredZone, move_ups: Sequence[MoveUp]) -> bool:
    return any(m.need == zone.need and zone.zone in m.zones for m in move_ups)


def coverage_plan(*, problem: DispatchProblem, travel: TravelTimeSource, fallback: Plan,
                  start: Sequence[Pick] = (), least_unserved_weight: int | None = None) -> Plan:
    """The best plan under the coverage rules, or a typed result saying why there is none.

    Returns:
        The CP-SAT plan (COMPLETE or PARTIAL, with move-ups and any uncovered zones); if a
        required rule cannot be kept, the best plan with the required rules relaxed and status
        INFEASIBLE; if the solver finds no plan in time, `fallback` labelled GREEDY_FALLBACK
        with its uncovered zones.
    """
    covers = resolve_coverage(problem=problem, travel=travel)
    name, plan = solve_with_coverage(problem=problem, covers=covers, start=start,
                                     least_unserved_weight=least_unserved_weight)
    if plan is not None:
        return plan
    if name == "INFEASIBLE":
        relaxed_name, relaxed = solve_with_coverage(problem=problem, covers=covers, relax_required=True, start=start,
                                                    least_unserved_weight=least_unserved_weight)
        if relaxed is not None:
            return replace(relaxed, status=PlanStatus.INFEASIBLE, solver_status=f"INFEASIBLE; relaxed: {relaxed_name}",
                           proven_optimal=False)
    sent = {a.unit_id for a in fallback.assignments}
    used = {position for position, unit in enumerate(problem.units) if unit.id in sent}
    return replace(fallback, method=PlanMethod.GREEDY_FALLBACK, solver_status=name, proven_optimal=False, gap=None,
                   uncovered=uncovered_after(covers=covers, busy=used))
