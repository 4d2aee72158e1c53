"""Relief routing with PyVRP, the hybrid genetic search that leads the Solomon benchmarks.

The default backend (see `relief_backends`): on the Solomon C1/R1 instances OR-Tools' guided
local search stays further from the best-known distances than PyVRP given the same time.

Distances and times are scaled to integers as in the OR-Tools backend: the objective's
distances rounded, travel times rounded up (so accepted routes are feasible in real time),
windows tightened inwards; the reported distance is recomputed from the real coordinates.
"""

from __future__ import annotations

import math

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxRuntime

from coordination.planner.relief_routing import (
    DistanceConvention,
    ReliefPlan,
    ReliefRoute,
    RoutingStatus,
    distance_matrix,
)
from coordination.planner.solomon import VrptwInstance
from coordination.errors import InvalidInput

SCALE = {DistanceConvention.TRUNC1: 10, DistanceConvention.DOUBLE: 100}
"""Solver units per distance unit: exact for one-decimal distances; two decimals otherwise."""


def solve_with_pyvrp(
    *,
    instance: VrptwInstance,
    time_limit_s: float,
    convention: DistanceConvention = DistanceConvention.DOUBLE,
    vehicle_count: int | None = None,
    seed: int = 0,
) -> ReliefPlan:
    """Plan routes that visit every site in its time window, minimising total distance, with PyVRP.

    Args:
        instance: depot, sites with demands and windows, fleet size and capacity.
        time_limit_s: PyVRP stops searching after this long and returns its best routes.
        convention: how distances are measured (see `DistanceConvention`).
        vehicle_count: fleet size, if not the instance's.
        seed: seeds PyVRP's search; same seed and limit, same routes on the same machine load.

    Returns:
        FEASIBLE routes when the best solution found visits every site within its window, else
        NO_SOLUTION with no routes. Never raises for an infeasible instance.

    Raises:
        InvalidInput: a non-positive time limit.
    """
    if time_limit_s <= 0:
        raise InvalidInput("time_limit_s must be positive", field="time_limit_s")
    scale = SCALE[convention]
    sites = instance.sites
    vehicles = vehicle_count or instance.vehicle_count
    dist = distance_matrix(instance=instance, convention=convention)
    cost = np.rint(dist * scale).astype(np.int64)
    duration = np.ceil(dist * scale - 1e-9).astype(np.int64)

    model = Model()
    locations = [model.add_location(x=site.x, y=site.y) for site in sites]
    depot_site = sites[0]
    depot = model.add_depot(locations[0])
    for location, site in zip(locations[1:], sites[1:]):
        model.add_client(location, delivery=site.demand, service_duration=math.ceil(site.service * scale - 1e-9),
                         tw_early=math.ceil(site.ready * scale - 1e-9), tw_late=math.floor(site.due * scale + 1e-9))
    model.add_vehicle_type(num_available=vehicles, capacity=instance.capacity, start_depot=depot, end_depot=depot,
                           tw_early=math.ceil(depot_site.ready * scale - 1e-9),
                           tw_late=math.floor(depot_site.due * scale + 1e-9))
    for a, frm in enumerate(locations):
        for b, to in enumerate(locations):
            if a != b:
                model.add_edge(frm, to, distance=int(cost[a, b]), duration=int(duration[a, b]))
    result = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False, collect_stats=False)
    best = result.best
    if not best.is_feasible():
        return ReliefPlan(status=RoutingStatus.NO_SOLUTION, solver_status="PYVRP_INFEASIBLE", routes=(),
                          distance=math.inf)
    routes = []
    for route in best.routes():
        # A client activity's index counts clients only, in the order they were added: site index - 1.
        visited = [int(activity.idx) + 1 for activity in route.schedule() if activity.is_client()]
        path = [0, *visited, 0]
        routes.append(ReliefRoute(
            sites=tuple(sites[n].number for n in visited),
            distance=float(sum(dist[a, b] for a, b in zip(path, path[1:]))),
            load=sum(sites[n].demand for n in visited),
        ))
    return ReliefPlan(status=RoutingStatus.FEASIBLE, solver_status="PYVRP_FEASIBLE", routes=tuple(routes),
                      distance=float(sum(r.distance for r in routes)))
