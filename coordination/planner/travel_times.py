"""Travel times on a road network: snapping points to nodes and times from every node to a target.

The optimiser needs, for each incident, the time from every unit to it. One Dijkstra from the
incident on the *reversed* graph gives exactly that for all nodes at once, so a unit moving
around costs a look-up, not a new search. The search runs in scipy's compiled csgraph code
(networkx is about 15 times slower on a 100,000-node city) and its result is cached per node.

Coverage (where can a free unit get to in time?) is the other direction: one multi-source
Dijkstra on the forward graph from every unit's node at once gives each node the time from the
nearest unit, the same edges and times the dispatch plans on.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from coordination.planner.road_network import RoadNetwork
from coordination.errors import InvalidInput

DEFAULT_CACHE_TARGETS = 256
"""Targets kept in the cache; each costs 4 bytes per node (400 kB on a 100,000-node city)."""

_EARTH_RADIUS_M = 6_371_000.0


class TravelTimeSource(Protocol):
    """What the dispatch policies need: seconds from each of some nodes to one target node.

    `TravelTimes` implements it on a road network; tests may pass a small table instead.
    Unreachable pairs are `inf`.
    """

    def travel_s_to(self, *, target: Hashable, origins: Sequence[Hashable]) -> np.ndarray: ...


class TravelTimes:
    """Shortest travel times on one road network, with a cache of per-target searches.

    Not thread-safe: give each worker its own instance (the arrays are cheap to rebuild).
    """

    def __init__(self, *, network: RoadNetwork, cache_targets: int = DEFAULT_CACHE_TARGETS):
        graph = network.graph
        self.nodes: tuple[Hashable, ...] = tuple(graph.nodes)
        self.index_of: dict[Hashable, int] = {node: i for i, node in enumerate(self.nodes)}
        size = len(self.nodes)
        tails = np.empty(graph.number_of_edges(), dtype=np.int64)
        heads = np.empty_like(tails)
        seconds = np.empty(graph.number_of_edges(), dtype=np.float64)
        for k, (tail, head, travel_s) in enumerate(graph.edges(data="travel_s")):
            tails[k], heads[k], seconds[k] = self.index_of[tail], self.index_of[head], travel_s
        # Reversed: row = head, column = tail, so a search from a target walks edges backwards
        # and reaches every node with the time it takes to drive from that node to the target.
        self._reversed = csr_matrix((seconds, (heads, tails)), shape=(size, size))
        lon = np.array([graph.nodes[n]["lon"] for n in self.nodes], dtype=np.float64)
        lat = np.array([graph.nodes[n]["lat"] for n in self.nodes], dtype=np.float64)
        self.lon, self.lat = lon, lat
        """Every node's longitude and latitude, in `self.nodes` order."""
        self._lat0 = float(np.mean(lat)) if size else 0.0
        self._kdtree = cKDTree(np.column_stack(self._project(lon, lat))) if size else None
        self._last_from_nearest: tuple[tuple, np.ndarray] | None = None
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._cache_targets = cache_targets
        self._last_origins: tuple[tuple[Hashable, ...], np.ndarray] | None = None
        self.searches_run = 0
        """How many Dijkstra searches this instance has run (cache misses); for tests and benchmarks."""

    def nearest_node(self, *, lon: float, lat: float) -> Hashable:
        """Return the road node nearest to a point (straight-line distance, local projection)."""
        return self.nearest_nodes(points=[(lon, lat)])[0]

    def nearest_nodes(self, *, points: Sequence[tuple[float, float]]) -> list[Hashable]:
        """Return the road node nearest to each (lon, lat) point, in one KD-tree query."""
        if self._kdtree is None:
            raise InvalidInput("the road network has no nodes", field="network")
        coords = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        _, indices = self._kdtree.query(np.column_stack(self._project(coords[:, 0], coords[:, 1])))
        return [self.nodes[i] for i in np.atleast_1d(indices)]

    def all_travel_s_to(self, *, target: Hashable) -> np.ndarray:
        """Return seconds from every node (in `self.nodes` order) to `target`; `inf` if unreachable.

        The array is shared with the cache: do not modify it.

        Raises:
            InvalidInput: `target` is not a node of the network.
        """
        index = self._index(target)
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        times = dijkstra(self._reversed, directed=True, indices=index).astype(np.float32)
        times.flags.writeable = False
        self.searches_run += 1
        self._cache[index] = times
        if len(self._cache) > self._cache_targets:
            self._cache.popitem(last=False)
        return times

    def travel_s_to(self, *, target: Hashable, origins: Sequence[Hashable]) -> np.ndarray:
        """Return seconds from each origin node to `target`, as float64; `inf` if unreachable."""
        times = self.all_travel_s_to(target=target)
        origins = tuple(origins)
        if self._last_origins is None or self._last_origins[0] != origins:
            # A re-plan asks for the same unit positions once per demand: index them once.
            self._last_origins = (origins, self.indices(nodes=origins))
        return times[self._last_origins[1]].astype(np.float64)

    def travel_s_from_nearest(self, *, origins: Sequence[Hashable], limit_s: float = np.inf) -> np.ndarray:
        """Return seconds from the nearest of `origins` to every node (in `self.nodes` order).

        One multi-source Dijkstra on the forward graph; nodes further than `limit_s` from every
        origin (or unreachable) are `inf`, and the search stops there, which is what makes a
        coverage question ("within 8 minutes?") cheaper than a full search. The last answer is
        kept: the map asks again every few seconds while nothing moves. Do not modify it.
        """
        indices = np.unique(self.indices(nodes=origins)) if len(origins) else np.zeros(0, dtype=np.int64)
        key = (indices.tobytes(), float(limit_s))
        if self._last_from_nearest is not None and self._last_from_nearest[0] == key:
            return self._last_from_nearest[1]
        if not len(indices):
            times = np.full(len(self.nodes), np.inf, dtype=np.float32)
        else:
            times = dijkstra(self._forward, directed=True, indices=indices, min_only=True,
                             limit=limit_s).astype(np.float32)
            self.searches_run += 1
        times.flags.writeable = False
        self._last_from_nearest = (key, times)
        return times

    @functools.cached_property
    def _forward(self) -> csr_matrix:
        """The graph as driven (row = tail), for searches from units outwards; built on first use."""
        return self._reversed.transpose().tocsr()

    def indices(self, *, nodes: Sequence[Hashable]) -> np.ndarray:
        """Return the array positions of `nodes`."""
        return np.fromiter((self._index(n) for n in nodes), dtype=np.int64, count=len(nodes))

    def _index(self, node: Hashable) -> int:
        try:
            return self.index_of[node]
        except KeyError:
            raise InvalidInput(f"{node!r} is not a node of the road network", field="node") from None

    def _project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project degrees to local metres (equirectangular): exact enough for snapping in a city."""
        metres_per_deg = math.pi * _EARTH_RADIUS_M / 180.0
        return lon * metres_per_deg * math.cos(math.radians(self._lat0)), lat * metres_per_deg
