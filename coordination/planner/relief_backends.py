"""The relief-routing backends, chosen by name: OR-Tools (always there) or PyVRP (the `routing` extra).

PyVRP gets closer to the best-known Solomon distances than OR-Tools in the same time (see
bench/dispatch_solomon.py), but it is an optional install. Its module imports PyVRP at the top
like any other; this registry loads that module only when PyVRP is installed and it is chosen,
so an engine without the extra still imports cleanly and says what to install.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from coordination.planner.relief_routing import DistanceConvention, ReliefPlan, plan_relief_routes
from coordination.planner.solomon import VrptwInstance
from coordination.errors import InvalidInput


@dataclass(frozen=True)
class ReliefBackend:
    name: str
    requires: str
    """The top-level package the backend needs."""
    module: str
    function: str
    install_hint: str


RELIEF_BACKENDS = {
    "ortools": ReliefBackend("ortools", "ortools", "coordination.planner.relief_routing", "plan_relief_routes",
                             "a core dependency"),
    "pyvrp": ReliefBackend("pyvrp", "pyvrp", "coordination.planner.relief_pyvrp", "solve_with_pyvrp",
                           "pip install 'iccc-coordination[routing]'"),
}

DEFAULT_RELIEF_BACKEND = "ortools"


def available_relief_backends() -> tuple[str, ...]:
    """The backends whose package is installed, in registry order."""
    return tuple(name for name, backend in RELIEF_BACKENDS.items() if importlib.util.find_spec(backend.requires))


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
        InvalidInput: an unknown backend, or one whose package is not installed (`backend`),
            or a non-positive time limit.
    """
    chosen = RELIEF_BACKENDS.get(backend)
    if chosen is None:
        raise InvalidInput(f"unknown relief-routing backend {backend!r}; known: {', '.join(RELIEF_BACKENDS)}",
                           field="backend")
    if chosen.name == DEFAULT_RELIEF_BACKEND:
        return plan_relief_routes(instance=instance, time_limit_s=time_limit_s, convention=convention,
                                  vehicle_count=vehicle_count)
    if importlib.util.find_spec(chosen.requires) is None:
        raise InvalidInput(f"the {backend} backend needs {chosen.requires}: {chosen.install_hint}", field="backend")
    solve = getattr(importlib.import_module(chosen.module), chosen.function)
    return solve(instance=instance, time_limit_s=time_limit_s, convention=convention, vehicle_count=vehicle_count)
