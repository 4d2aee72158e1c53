"""Fakes shared by the dispatch tests: a travel-time table and builders for units and demands."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

import numpy as np

from coordination.dispatch import Demand, Unit, UnitStatus

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
