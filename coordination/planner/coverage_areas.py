"""Coverage areas: where no free unit of a kind can arrive within a time, as squares of the city.

The travel times come from `TravelTimes.travel_s_from_nearest` (one multi-source Dijkstra from
every free unit's node over the dispatch network). A square of the grid is uncovered when most
of its road junctions are beyond the time: a square is what a duty officer can see on a map, and
"most" keeps one far cul-de-sac from painting a whole block. Pure: arrays in, arrays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_CELL_M = 250.0
"""Side of a coverage square: about two city blocks, fine enough to show a district's hole."""

_METRES_PER_DEG_LAT = math.pi * 6_371_000.0 / 180.0


@dataclass(frozen=True)
class CoverageGrid:
    """Squares of `cell_m` over a road network's nodes; built once per network.

    `cell_of[i]` is the square of node i (an index into `cells`), `cells[k]` is (column, row).
    """

    west: float
    south: float
    cell_lon: float
    cell_lat: float
    cell_of: np.ndarray
    cells: np.ndarray
    nodes_in: np.ndarray
    """How many nodes each square holds."""

    @classmethod
    def over(cls, *, lon: np.ndarray, lat: np.ndarray, cell_m: float = DEFAULT_CELL_M) -> CoverageGrid:
        west, south = (float(lon.min()), float(lat.min())) if len(lon) else (0.0, 0.0)
        cell_lat = cell_m / _METRES_PER_DEG_LAT
        cell_lon = cell_m / (_METRES_PER_DEG_LAT * math.cos(math.radians(float(lat.mean()) if len(lat) else 0.0)))
        columns = np.floor((lon - west) / cell_lon).astype(np.int64)
        rows = np.floor((lat - south) / cell_lat).astype(np.int64)
        cells, cell_of = np.unique(np.column_stack([columns, rows]), axis=0, return_inverse=True)
        cell_of = cell_of.reshape(-1)
        return cls(west=west, south=south, cell_lon=cell_lon, cell_lat=cell_lat, cell_of=cell_of,
                   cells=cells.reshape(-1, 2), nodes_in=np.bincount(cell_of, minlength=len(cells)))

    def square(self, cell: int) -> list[list[float]]:
        """The ring (longitude, latitude) of square `cell`, closed, counter-clockwise."""
        column, row = (int(v) for v in self.cells[cell])
        west, south = self.west + column * self.cell_lon, self.south + row * self.cell_lat
        east, north = west + self.cell_lon, south + self.cell_lat
        return [[west, south], [east, south], [east, north], [west, north], [west, south]]


@dataclass(frozen=True)
class Coverage:
    """What the free units reach within `within_s`."""

    within_s: float
    covered_share: float
    """Share of the network's nodes some free unit reaches in time (0..1)."""
    uncovered_cells: np.ndarray
    """Squares of the grid where most nodes are out of reach."""


def coverage_of(*, grid: CoverageGrid, travel_s: np.ndarray, within_s: float) -> Coverage:
    """Which squares of `grid` no free unit reaches within `within_s`, given each node's time
    from the nearest free unit (`inf`: none reaches it)."""
    late = ~(travel_s <= within_s)
    late_in = np.bincount(grid.cell_of, weights=late, minlength=len(grid.nodes_in))
    covered = 1.0 - float(late.mean()) if len(late) else 0.0
    return Coverage(within_s=within_s, covered_share=covered,
                    uncovered_cells=np.flatnonzero(late_in * 2 > grid.nodes_in))
