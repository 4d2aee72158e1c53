"""Fakes shared by the dispatch tests: a travel-time table and builders for units and demands."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

import numpy as np

from coordination.planner import Demand, DistanceConvention, Unit, UnitStatus, VrptwInstance, distance_matrix

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
"""`../shared/data` beside the project checkout: reference data written by others."""


class TableTravel:
    """Travel times from a hand-written table {(origin, target): seconds}; missing pairs are unreachable."""

    def __init__(self, seconds: Mapping[tuple[Hashable, Hashable], float]):
        self.seconds = dict(seconds)

    def travel_s_to(self, *, target: Hashable, origins: Sequence[Hashable]) -> np.ndarray:
        return np.array([self.seconds.get((o, target), math.inf) for o in origins], dtype=np.float64)


def make_unit(unit_id: str, unit_type: str = "ambulance", *, status: UnitStatus = UnitStatus.AVAILABLE,
              agency_id: str = "ems-108", capabilities: frozenset[str] = frozenset(),
              committed_priority: int = 0) -> Unit:
    """A unit standing at the node named after it."""
    return Unit(id=unit_id, agency_id=agency_id, unit_type=unit_type, node=unit_id, status=status,
                capabilities=capabilities, committed_priority=committed_priority)


def make_demand(incident_id: str, needs: Mapping[str, int], *, priority: int = 1) -> Demand:
    """A demand at the node named after its incident."""
    return Demand(incident_id=incident_id, node=incident_id, needs=tuple(needs.items()), priority=priority)


def assert_feasible(instance: VrptwInstance, plan) -> None:
    """Check the routes independently: each customer once, loads within capacity, windows kept."""
    dist = distance_matrix(instance=instance, convention=DistanceConvention.DOUBLE)
    visited = [n for route in plan.routes for n in route.sites]
    assert sorted(visited) == [s.number for s in instance.sites[1:]]
    assert len(plan.routes) <= instance.vehicle_count
    for route in plan.routes:
        assert sum(instance.sites[n].demand for n in route.sites) <= instance.capacity
        clock, here = instance.sites[0].ready, 0
        for n in route.sites:
            site = instance.sites[n]
            clock = max(clock + dist[here, n], site.ready)
            assert clock <= site.due + 1e-6, f"site {n} reached at {clock}, due {site.due}"
            clock += site.service
            here = n
        assert clock + dist[here, 0] <= instance.sites[0].due + 1e-6
