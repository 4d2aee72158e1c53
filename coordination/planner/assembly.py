"""Turn a policy's choices (which unit meets which need) into a `Plan` with its measures."""

from __future__ import annotations

from collections.abc import Sequence

from coordination.planner.candidates import DispatchProblem
from coordination.planner.plan import Assignment, Plan, PlanMethod, PlanStatus, UnservedNeed
from coordination.planner.units import PREEMPTIBLE_STATUSES

Pick = tuple[int, int, int]
"""(group position, unit position, ETA in seconds): one unit chosen for one need."""


def plan_from_picks(
    *,
    problem: DispatchProblem,
    picks: Sequence[Pick],
    method: PlanMethod,
    proven_optimal: bool,
    solver_status: str,
) -> Plan:
    """Build the plan for `picks`: assignments, unserved needs with their reasons, and measures."""
    served = [0] * len(problem.groups)
    assignments = []
    objective = 0
    preemption_cost = 0
    for group_index, unit_index, eta_s in sorted(picks, key=lambda p: (p[0], p[2], p[1])):
        group = problem.groups[group_index]
        unit = problem.units[unit_index]
        served[group_index] += 1
        objective += group.priority * eta_s
        if unit.status in PREEMPTIBLE_STATUSES:
            preemption_cost += unit.committed_priority * problem.options.preempt_cost_s
        assignments.append(Assignment(
            unit_id=unit.id, incident_id=problem.demands[group.demand_index].incident_id, need=group.need,
            eta_s=int(eta_s), preempted=unit.status in PREEMPTIBLE_STATUSES,
        ))
    unserved = []
    unserved_weight = 0
    for group_index, group in enumerate(problem.groups):
        short = group.count - served[group_index]
        if short > 0:
            unserved.append(UnservedNeed(incident_id=problem.demands[group.demand_index].incident_id,
                                         need=group.need, count=short, reason=group.reason_if_short))
            unserved_weight += short * group.priority
    return Plan(
        status=PlanStatus.PARTIAL if unserved else PlanStatus.COMPLETE,
        method=method,
        assignments=tuple(assignments),
        unserved=tuple(unserved),
        objective=int(objective),
        unserved_weight=int(unserved_weight),
        proven_optimal=proven_optimal,
        solver_status=solver_status,
        preemption_cost=int(preemption_cost),
        gap=0.0 if proven_optimal else None,
    )
