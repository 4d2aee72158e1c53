"""The dispatch problem both policies solve: which unit may serve which need, at what ETA.

Built once per re-plan from the demands, the units and the travel times, so the exact optimiser
and the greedy baseline see exactly the same choices and their plans can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coordination.planner.demands import Demand
from coordination.planner.plan import DispatchOptions, UnservedReason
from coordination.planner.travel_times import TravelTimeSource
from coordination.planner.units import ASSIGNABLE_STATUSES, PREEMPTIBLE_STATUSES, Unit
from coordination.errors import InvalidInput


@dataclass(frozen=True)
class NeedGroup:
    """One need of one demand (e.g. 2 ambulances for incident 7) and the units that may meet it.

    unit_indices / eta_s: candidate units (positions in `DispatchProblem.units`) and their
    whole-second ETAs, sorted by ETA then unit position. `preempt_cost` is, per candidate, what
    diverting it from its present incident costs (0 for a free unit). `reason_if_short` is why
    the need would stay unserved if it is short of units.
    """

    demand_index: int
    need: str
    count: int
    priority: int
    unit_indices: np.ndarray
    eta_s: np.ndarray
    reason_if_short: UnservedReason
    preempt_cost: np.ndarray | None = None

    def arc_costs(self) -> np.ndarray:
        """What sending each candidate costs the objective: priority x ETA, plus any pre-emption cost."""
        costs = self.eta_s * self.priority
        return costs if self.preempt_cost is None else costs + self.preempt_cost


@dataclass(frozen=True)
class DispatchProblem:
    demands: tuple[Demand, ...]
    units: tuple[Unit, ...]
    groups: tuple[NeedGroup, ...]
    options: DispatchOptions = DispatchOptions()

    @property
    def arc_count(self) -> int:
        return sum(len(g.unit_indices) for g in self.groups)


def build_problem(
    *, demands: Sequence[Demand], units: Sequence[Unit], travel: TravelTimeSource, options: DispatchOptions
) -> DispatchProblem:
    """Collect, for every need of every demand, the units allowed to meet it and their ETAs.

    A unit is a candidate when it meets the need (its type or a capability), is free (available
    or returning) or may be pre-empted for this demand, and can get there by road within
    `options.max_travel_s`. ETAs are rounded up to whole seconds, so the solver's integer costs
    never promise a faster arrival than the road network gives.

    Raises:
        InvalidInput: two demands share an incident id, or two units share an id.
    """
    if len({d.incident_id for d in demands}) != len(demands):
        raise InvalidInput("two demands share an incident id", field="demands")
    if len({u.id for u in units}) != len(units):
        raise InvalidInput("two units share an id", field="units")
    pool = tuple(u for u in units if u.status in ASSIGNABLE_STATUSES or u.status in PREEMPTIBLE_STATUSES)
    free = np.array([u.status in ASSIGNABLE_STATUSES for u in pool], dtype=bool)
    committed = np.array([u.committed_priority for u in pool], dtype=np.int64)
    origins = [u.node for u in pool]
    meets_cache: dict[str, np.ndarray] = {}
    limit = math.inf if options.max_travel_s is None else options.max_travel_s
    groups = []
    # Drills build a problem at every re-plan, mostly with a handful of units: each numpy call
    # below is a microsecond or two of fixed cost, so none is made that cannot change the result.
    preempting = options.preempt_min_priority is not None
    for demand_index, demand in enumerate(demands):
        if not demand.needs:
            continue
        travel_s = travel.travel_s_to(target=demand.node, origins=origins) if pool else np.zeros(0)
        eligible = free
        if preempting and demand.priority >= options.preempt_min_priority:
            eligible = free | (~free & (committed < demand.priority))
        reachable = np.isfinite(travel_s)
        if limit != math.inf:
            reachable &= travel_s <= limit
        for need, count in demand.needs:
            meets = meets_cache.get(need)
            if meets is None:
                meets = meets_cache[need] = np.array([u.can_meet(need) for u in pool], dtype=bool)
            could = meets & eligible
            chosen = np.flatnonzero(could & reachable)
            etas = np.ceil(travel_s[chosen] - 1e-9).astype(np.int64)
            # `chosen` is in unit order already: a stable sort by ETA breaks ties by position.
            order = np.argsort(etas, kind="stable")
            if len(chosen):
                reason = UnservedReason.UNITS_EXHAUSTED
            elif could.any():
                reason = UnservedReason.OUT_OF_REACH
            else:
                reason = UnservedReason.NO_UNIT_OF_TYPE
            ranked = chosen[order]
            groups.append(NeedGroup(demand_index=demand_index, need=need, count=count, priority=demand.priority,
                                    unit_indices=ranked, eta_s=etas[order], reason_if_short=reason,
                                    preempt_cost=(np.where(free[ranked], 0, committed[ranked] * options.preempt_cost_s)
                                                  if preempting else None)))
    return DispatchProblem(demands=tuple(demands), units=pool, groups=tuple(groups), options=options)
