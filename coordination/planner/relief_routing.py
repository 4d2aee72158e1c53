"""Relief logistics: routes for supply vehicles from a depot to camps with time windows (VRPTW).

OR-Tools' routing solver builds a first solution and improves it with guided local search until
the time limit. Distances and times are scaled to integers for the solver; times are rounded up
so a route the solver accepts is feasible in real time too, and the reported distance is
recomputed from the real coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from coordination.planner.solomon import VrptwInstance
from coordination.errors import InvalidInput

SCALE = 100
"""Solver units per distance unit: two decimals, finer than the benchmarks' one."""


DEFAULT_FIRST_SOLUTIONS = ("SAVINGS", "PARALLEL_CHEAPEST_INSERTION")
"""Two starts that do well on different Solomon classes (savings on clustered C1, insertion on R1)."""


class DistanceConvention(str, Enum):
    DOUBLE = "double"
    """Euclidean distance in full precision (the hierarchical best-known results)."""
    TRUNC1 = "trunc1"
    """Euclidean distance truncated to one decimal, as in the exact-method literature."""


class RoutingStatus(str, Enum):
    FEASIBLE = "feasible"
    """Routes visit every site within its window; not proven optimal."""
    OPTIMAL = "optimal"
    NO_SOLUTION = "no_solution"
    """The solver found no feasible routes within the time limit (or none exist)."""
    INVALID = "invalid"


@dataclass(frozen=True)
class ReliefRoute:
    """One vehicle's tour: site numbers in order (depot excluded), its distance and load."""

    sites: tuple[int, ...]
    distance: float
    load: int


@dataclass(frozen=True)
class ReliefPlan:
    status: RoutingStatus
    solver_status: str
    routes: tuple[ReliefRoute, ...]
    distance: float
    """Total distance in the chosen convention; `inf` when there are no routes."""

    @property
    def vehicle_count(self) -> int:
        return len(self.routes)


def distance_matrix(*, instance: VrptwInstance, convention: DistanceConvention) -> np.ndarray:
    """Return the site-to-site distance matrix in the given convention."""
    xy = np.array([(s.x, s.y) for s in instance.sites], dtype=np.float64)
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    if convention is DistanceConvention.TRUNC1:
        dist = np.floor(dist * 10 + 1e-9) / 10
    return dist


def plan_relief_routes(
    *,
    instance: VrptwInstance,
    time_limit_s: float,
    convention: DistanceConvention = DistanceConvention.DOUBLE,
    vehicle_count: int | None = None,
    first_solutions: tuple[str, ...] = DEFAULT_FIRST_SOLUTIONS,
) -> ReliefPlan:
    """Plan routes that visit every site in its time window, minimising total distance.

    Args:
        instance: depot, sites with demands and windows, fleet size and capacity.
        time_limit_s: the solver stops improving after this long; the best routes found are
            returned.
        convention: how distances are measured (see `DistanceConvention`).
        vehicle_count: fleet size, if not the instance's.
        first_solutions: OR-Tools first-solution strategies to start from, each searched for an
            equal share of the time limit; the shortest feasible routes win.

    Returns:
        The routes, with `status` FEASIBLE (or OPTIMAL) when every site is visited, else
        NO_SOLUTION with no routes. Never raises for an infeasible instance.

    Raises:
        InvalidInput: a non-positive time limit.
    """
    if time_limit_s <= 0:
        raise InvalidInput("time_limit_s must be positive", field="time_limit_s")
    if not first_solutions:
        raise InvalidInput("name at least one first-solution strategy", field="first_solutions")
    plans = [
        _solve_once(instance=instance, time_limit_s=time_limit_s / len(first_solutions), convention=convention,
                    vehicle_count=vehicle_count, first_solution=name)
        for name in first_solutions
    ]
    return min(plans, key=lambda p: (p.status not in (RoutingStatus.FEASIBLE, RoutingStatus.OPTIMAL), p.distance))


def _solve_once(
    *, instance: VrptwInstance, time_limit_s: float, convention: DistanceConvention, vehicle_count: int | None,
    first_solution: str,
) -> ReliefPlan:
    """Run one guided local search from one first-solution strategy."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # loaded when relief is planned

    try:
        strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
    except AttributeError:
        raise InvalidInput(f"unknown first-solution strategy {first_solution}", field="first_solutions") from None
    sites = instance.sites
    vehicles = vehicle_count or instance.vehicle_count
    dist = distance_matrix(instance=instance, convention=convention)
    cost = np.rint(dist * SCALE).astype(np.int64)
    service = np.array([math.ceil(s.service * SCALE) for s in sites], dtype=np.int64)
    travel = np.ceil(dist * SCALE - 1e-9).astype(np.int64) + service[:, None]
    np.fill_diagonal(travel, 0)
    horizon = int(math.ceil(max(s.due for s in sites) * SCALE))

    manager = pywrapcp.RoutingIndexManager(len(sites), vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost_index = routing.RegisterTransitMatrix(cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_index)
    time_index = routing.RegisterTransitMatrix(travel.tolist())
    routing.AddDimension(time_index, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for number, site in enumerate(sites):
        window = (int(math.ceil(site.ready * SCALE - 1e-9)), int(math.floor(site.due * SCALE + 1e-9)))
        if number == 0:
            for vehicle in range(vehicles):
                time.CumulVar(routing.Start(vehicle)).SetRange(*window)
                time.CumulVar(routing.End(vehicle)).SetRange(*window)
        else:
            time.CumulVar(manager.NodeToIndex(number)).SetRange(*window)
    load_index = routing.RegisterUnaryTransitVector([s.demand for s in sites])
    routing.AddDimensionWithVehicleCapacity(load_index, 0, [instance.capacity] * vehicles, True, "load")

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = strategy
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(parameters)
    solver_status = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    if solution is None:
        status = RoutingStatus.INVALID if solver_status == "ROUTING_INVALID" else RoutingStatus.NO_SOLUTION
        return ReliefPlan(status=status, solver_status=solver_status, routes=(), distance=math.inf)

    routes = []
    for vehicle in range(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        visited = []
        while not routing.IsEnd(index):
            visited.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if visited:
            path = [0, *visited, 0]
            routes.append(ReliefRoute(
                sites=tuple(sites[n].number for n in visited),
                distance=float(sum(dist[a, b] for a, b in zip(path, path[1:]))),
                load=sum(sites[n].demand for n in visited),
            ))
    status = RoutingStatus.OPTIMAL if solver_status == "ROUTING_OPTIMAL" else RoutingStatus.FEASIBLE
    return ReliefPlan(status=status, solver_status=solver_status, routes=tuple(routes),
                      distance=float(sum(r.distance for r in routes)))
