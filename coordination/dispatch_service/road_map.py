"""The road network drawn on the console's map: each street segment once, with its class and name.

The dispatch service plans on a directed graph; a map needs each street once, as lines. A city
network can hold hundreds of thousands of segments, far more than a browser should draw, so a
view asks for a bounding box and gets at most a budget of segments, major roads first: zoomed
out, a city shows its arterials; zoomed in, every lane.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from coordination.planner import RoadNetwork
from coordination.dispatch_service.roads import load_road_network
from coordination.errors import InvalidInput

ROAD_CLASS_RANK: dict[str, int] = {
    "motorway": 0, "motorway_link": 0, "trunk": 0, "trunk_link": 0,
    "primary": 1, "primary_link": 1,
    "secondary": 2, "secondary_link": 2,
    "tertiary": 3, "tertiary_link": 3,
}
"""Drawing order and priority by OSM `highway` class; every other class ranks `MINOR_RANK`."""

MINOR_RANK = 4
RANK_NAMES = ("motorway", "primary", "secondary", "tertiary", "minor")

DEFAULT_SEGMENT_BUDGET = 4000
"""Segments sent for one view: a few hundred kilobytes of JSON, drawn in a blink."""

COORDINATE_DECIMALS = 5
"""About a metre: finer than a map can show, and it keeps the JSON small."""


@dataclass(frozen=True)
class RoadMap:
    """Street segments as arrays: `ends[i]` is (lon1, lat1, lon2, lat2), `ranks[i]` its class rank."""

    ends: np.ndarray
    ranks: np.ndarray
    names: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    """West, south, east, north of every node."""

    @classmethod
    def of(cls, network: RoadNetwork) -> RoadMap:
        """Each street of `network` once (a two-way street is two arcs in the graph)."""
        graph = network.graph
        ends, ranks, names = [], [], []
        seen: set[tuple] = set()
        for tail, head, data in graph.edges(data=True):
            if (head, tail) in seen:
                continue
            seen.add((tail, head))
            a, b = graph.nodes[tail], graph.nodes[head]
            ends.append((a["lon"], a["lat"], b["lon"], b["lat"]))
            ranks.append(ROAD_CLASS_RANK.get(data.get("highway") or "", MINOR_RANK))
            names.append(data.get("name") or "")
        lon = [data["lon"] for _, data in graph.nodes(data=True)]
        lat = [data["lat"] for _, data in graph.nodes(data=True)]
        bounds = (min(lon), min(lat), max(lon), max(lat)) if lon else (0.0, 0.0, 0.0, 0.0)
        return cls(ends=np.asarray(ends, dtype=np.float64).reshape(-1, 4), ranks=np.asarray(ranks, dtype=np.int8),
                   names=tuple(names), bounds=bounds)

    def view(self, *, bbox: tuple[float, float, float, float] | None = None,
             budget: int = DEFAULT_SEGMENT_BUDGET) -> dict:
        """The segments crossing `bbox` (west, south, east, north; None: the whole city), grouped
        by class for drawing: the major classes whole while they fit in `budget` (a class cut
        half-way would draw half a district), or an even sample of the major class if even it
        does not fit.

        Returns:
            ``{"classes": [{"class", "segments": [[lon1, lat1, lon2, lat2], ...]}], "shown",
            "in_view", "truncated", "smallest_class_shown"}``.

        Raises:
            InvalidInput: a box whose west is east of its east, or south north of its north.
        """
        west, south, east, north = bbox or self.bounds
        if west > east or south > north:
            raise InvalidInput("bbox must be west,south,east,north with west <= east and south <= north",
                               field="bbox")
        lon1, lat1, lon2, lat2 = (self.ends[:, k] for k in range(4))
        inside = ((np.maximum(lon1, lon2) >= west) & (np.minimum(lon1, lon2) <= east)
                  & (np.maximum(lat1, lat2) >= south) & (np.minimum(lat1, lat2) <= north))
        chosen = np.flatnonzero(inside)
        in_view = len(chosen)
        chosen = _whole_classes_within(chosen, self.ranks[chosen], budget)
        classes = []
        for rank in range(MINOR_RANK + 1):
            of_rank = chosen[self.ranks[chosen] == rank]
            if len(of_rank):
                classes.append({"class": RANK_NAMES[rank],
                                "segments": np.round(self.ends[of_rank], COORDINATE_DECIMALS).tolist()})
        return {"classes": classes, "shown": len(chosen), "in_view": in_view, "truncated": in_view > len(chosen),
                "smallest_class_shown": classes[-1]["class"] if classes else None}

    @functools.cached_property
    def streets(self) -> dict[str, np.ndarray]:
        """Each street name with the ends of its segments, for the gazetteer (computed once)."""
        by_name: dict[str, list[int]] = {}
        for index, name in enumerate(self.names):
            if name:
                by_name.setdefault(name, []).append(index)
        return {name: self.ends[indices] for name, indices in by_name.items()}


def _whole_classes_within(indices: np.ndarray, ranks: np.ndarray, budget: int) -> np.ndarray:
    """The segments of the major classes that fit in `budget` whole; else an even sample of the first."""
    order = np.argsort(ranks, kind="stable")
    indices, ranks = indices[order], ranks[order]
    if len(indices) <= budget:
        return indices
    kept = 0
    for rank in np.unique(ranks):
        count = int((ranks == rank).sum())
        if kept + count > budget:
            break
        kept += count
    if kept:
        return indices[:kept]
    first = int((ranks == ranks[0]).sum())
    return indices[np.linspace(0, first - 1, budget).round().astype(int)]


_maps: dict[str, RoadMap] = {}
_lock = threading.Lock()


def road_map_for(*, source: str) -> RoadMap:
    """The map of the network `source` names (``"demo"`` or a GraphML path), built once per process.

    Raises: what `load_road_network` raises.
    """
    with _lock:
        road_map = _maps.get(source)
        if road_map is None:
            road_map = _maps[source] = RoadMap.of(load_road_network(source=source))
        return road_map
