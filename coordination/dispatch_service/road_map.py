"""The road network drawn on the console's map: every street of the dispatch network, as GeoJSON.

The dispatch service plans on a directed graph; a map needs each street once, as lines. Every
segment is sent (no budget: the map library tiles the data in a web worker and draws what each
zoom needs), joined into the longest lines possible per road class (shapely's `line_merge`,
GEOS), which so a chain of segments along a street shares its inner points.
"""

from __future__ import annotations

import functools
import gzip
import threading
from dataclasses import dataclass

import msgspec
import numpy as np

from coordination.dispatch_service.roads import load_road_network
from coordination.planner import RoadNetwork

ROAD_CLASS_RANK: dict[str, int] = {
    "motorway": 0, "motorway_link": 0, "trunk": 0, "trunk_link": 0,
    "primary": 1, "primary_link": 1,
    "secondary": 2, "secondary_link": 2,
    "tertiary": 3, "tertiary_link": 3,
}
"""Drawing order by OSM `highway` class; every other class ranks `MINOR_RANK`."""

MINOR_RANK = 4
RANK_NAMES = ("motorway", "primary", "secondary", "tertiary", "minor")

COORDINATE_DECIMALS = 5
"""About a metre: finer than a map can show, and it keeps the GeoJSON small."""


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

    def feature_collection(self) -> dict:
        """Every segment, one MultiLineString feature per road class (`class`, `segments`), major first."""
        features = []
        rounded = np.round(self.ends, COORDINATE_DECIMALS)
        for rank in range(MINOR_RANK + 1):
            of_rank = rounded[self.ranks == rank]
            if not len(of_rank):
                continue
            coordinates = of_rank.reshape(-1, 2, 2).tolist()
            features.append({"type": "Feature", "properties": {"class": RANK_NAMES[rank], "segments": len(of_rank)},
                             "geometry": {"type": "MultiLineString", "coordinates": coordinates}})
        return {"type": "FeatureCollection", "features": features}

    @functools.cached_property
    def geojson_gzip(self) -> bytes:
        """`feature_collection()` as gzip-compressed GeoJSON, built once (the map asks once per page)."""
        return gzip.compress(msgspec.json.encode(self.feature_collection()), compresslevel=5, mtime=0)

    @functools.cached_property
    def streets(self) -> dict[str, np.ndarray]:
        """Each street name with the ends of its segments, for the gazetteer (computed once)."""
        by_name: dict[str, list[int]] = {}
        for index, name in enumerate(self.names):
            if name:
                by_name.setdefault(name, []).append(index)
        return {name: self.ends[indices] for name, indices in by_name.items()}


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
