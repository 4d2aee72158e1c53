"""The relief-routing backends, chosen by name: PyVRP (the default) or OR-Tools.

At 10 s per instance on the Solomon C1 and R1 sets (bench/dispatch_solomon.py), PyVRP's hybrid
genetic search ends within about 0.2 % of the best-known distances on average, OR-Tools' guided
local search near 2 % (R1 above 3 %): PyVRP is the default for real supply runs, OR-Tools stays
selectable (for example to compare, or where a deployment prefers one solver stack).

Both are dependencies. Each backend's module is loaded when it is first chosen, so a process
that never plans relief (`iccc --help`, the server until a supply run is planned) loads neither
solver.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from coordination.errors import InvalidInput
from coordination.planner.relief_routing import DistanceConvention, ReliefPlan
from coordination.planner.solomon import VrptwInstance


@dataclass(frozen=True)
class ReliefBackend:
    name: str
    module: str
    function: str


RELIEF_BACKENDS = {
    "pyvrp": ReliefBackend("pyvrp", "coordination.planner.relief_pyvrp", "solve_with_pyvrp"),
    "ortools": ReliefBackend("ortools", "coordination.planner.relief_routing", "plan_relief_routes"),
}

DEFAULT_RELIEF_BACKEND = "pyvrp"


def plan_relief(
    *,
    instance: VrptwInstance,
    time_limit_s: float,
    backend: str = DEFAULT_RELIEF_BACKEND,
    convention: DistanceConvention = DistanceConvention.DOUBLE,
    vehicle_count: int | None = None,
) -> ReliefPlan:
    """Plan relief routes with the named backend; every backend returns the same `ReliefPlan`.

    Raises:
        InvalidInput: an unknown backend (`backend`), or a non-positive time limit.
    """
    chosen = RELIEF_BACKENDS.get(backend)
    if chosen is None:
        raise InvalidInput(f"unknown relief-routing backend {backend!r}; known: {', '.join(RELIEF_BACKENDS)}",
                           field="backend")
    solve = getattr(importlib.import_module(chosen.module), chosen.function)
    return solve(instance=instance, time_limit_s=time_limit_s, convention=convention, vehicle_count=vehicle_count)
