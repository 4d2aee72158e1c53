"""The road network: a directed networkx graph whose edges carry a travel time in seconds.

Loaded from a GraphML file in the OSMnx convention (attribute values are strings, `length` in
metres, optional `maxspeed`, `highway` road class), or generated as a seeded demo-city grid.
Every edge gets `travel_s` from its length and a speed: the posted `maxspeed` when there is one,
else a typical speed for its road class, so a graph without speeds still gives sensible times.
"""

from __future__ import annotations

import ast
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from coordination.errors import InvalidInput

ROAD_CLASS_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 60.0,
    "trunk": 70.0,
    "trunk_link": 50.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 40.0,
    "secondary_link": 35.0,
    "tertiary": 35.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
}
"""Typical urban speed per OSM `highway` class, used when an edge has no `maxspeed`."""

DEFAULT_SPEED_KMH = 30.0
"""Speed for an edge whose road class is missing or not in `ROAD_CLASS_SPEED_KMH`."""

MIN_EDGE_TRAVEL_S = 0.001
"""Floor on an edge's travel time: a zero-length edge must still be an edge to the solver."""

_MPH_TO_KMH = 1.609344
_EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class RoadNetwork:
    """A directed road graph with `travel_s` on every edge and `lon`/`lat` on every node.

    Node identifiers are kept as they came (strings from GraphML, integers when generated).
    """

    graph: nx.DiGraph
    name: str = ""

    @property
    def node_count(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def edge_count(self) -> int:
        return self.graph.number_of_edges()


def speed_kmh_for(*, highway: str | None, maxspeed: str | None) -> float:
    """Return the speed to drive an edge: its posted `maxspeed` if readable, else its class speed.

    OSMnx writes lists as their Python repr (``"['primary', 'secondary']"``); the first class and
    the lowest posted speed are used, because a response plan should not assume the faster road.
    """
    posted = _parse_maxspeed_kmh(maxspeed)
    if posted is not None:
        return posted
    road_class = _first_of(highway)
    return ROAD_CLASS_SPEED_KMH.get(road_class or "", DEFAULT_SPEED_KMH)


def edge_travel_s(*, length_m: float, speed_kmh: float) -> float:
    """Return the seconds to drive `length_m` metres at `speed_kmh`, never less than the floor."""
    if speed_kmh <= 0:
        raise InvalidInput(f"speed must be positive, got {speed_kmh} km/h", field="speed_kmh")
    return max(length_m / (speed_kmh / 3.6), MIN_EDGE_TRAVEL_S)


def load_graphml_network(*, path: Path | str) -> RoadNetwork:
    """Load an OSMnx-style GraphML road graph and give every edge a travel time.

    An undirected graph is driven both ways; a directed one keeps its direction (OSMnx already
    encodes one-way streets as single arcs). Parallel edges collapse to the fastest.

    Args:
        path: the GraphML file.

    Returns:
        The road network, with `travel_s`, `length_m`, `highway` and `name` (the street's name,
        for the console's map and gazetteer; may be empty) on each edge and float
        `lon`, `lat` on each node.

    Raises:
        InvalidInput: a node without coordinates or an edge without a readable `length`.
    """
    raw = nx.read_graphml(path)
    graph = nx.DiGraph()
    for node, data in raw.nodes(data=True):
        lon, lat = _node_lon_lat(node, data)
        graph.add_node(node, lon=lon, lat=lat)
    edges = raw.edges(data=True)
    for tail, head, data in edges:
        try:
            length_m = float(data["length"])
        except (KeyError, ValueError) as error:
            raise InvalidInput(f"edge {tail}->{head} has no readable length in {path}", field="length") from error
        highway = _first_of(data.get("highway"))
        speed = speed_kmh_for(highway=data.get("highway"), maxspeed=data.get("maxspeed"))
        travel_s = edge_travel_s(length_m=length_m, speed_kmh=speed)
        arcs = [(tail, head)] if raw.is_directed() else [(tail, head), (head, tail)]
        for a, b in arcs:
            if a == b:
                continue
            existing = graph.get_edge_data(a, b)
            if existing is None or existing["travel_s"] > travel_s:
                graph.add_edge(a, b, travel_s=travel_s, length_m=length_m, highway=highway or "",
                               name=_first_of(data.get("name")) or "")
    return RoadNetwork(graph=graph, name=Path(path).stem)


def generate_grid_city(
    *,
    rows: int,
    cols: int,
    seed: int,
    spacing_m: float = 150.0,
    arterial_every: int = 8,
    centre: tuple[float, float] = (77.5946, 12.9716),
    missing_street_share: float = 0.05,
) -> RoadNetwork:
    """Generate a demo-city street grid: residential blocks crossed by faster arterials.

    Node positions are jittered and a share of residential street segments is removed (kept
    connected), so shortest paths are not all ties and the optimiser has real choices to make.

    Args:
        rows, cols: grid size; ``rows * cols`` nodes (317 x 317 is about 100,000).
        seed: seeds the jitter and the removed streets; same seed, same city.
        spacing_m: block length in metres.
        arterial_every: every n-th row and column is a primary road.
        centre: longitude and latitude of the grid's centre.
        missing_street_share: share of residential segments to drop.

    Returns:
        A strongly connected road network whose nodes are integers ``row * cols + col``.
    """
    if rows < 2 or cols < 2:
        raise InvalidInput("a grid city needs at least 2 rows and 2 columns", field="rows")
    rng = random.Random(seed)
    lon0, lat0 = centre
    metres_per_deg_lat = math.pi * _EARTH_RADIUS_M / 180.0
    metres_per_deg_lon = metres_per_deg_lat * math.cos(math.radians(lat0))
    positions: dict[int, tuple[float, float]] = {}
    graph = nx.DiGraph()
    for r in range(rows):
        for c in range(cols):
            x_m = (c - (cols - 1) / 2) * spacing_m + rng.uniform(-0.2, 0.2) * spacing_m
            y_m = (r - (rows - 1) / 2) * spacing_m + rng.uniform(-0.2, 0.2) * spacing_m
            node = r * cols + c
            positions[node] = (x_m, y_m)
            graph.add_node(node, lon=lon0 + x_m / metres_per_deg_lon, lat=lat0 + y_m / metres_per_deg_lat)
    for r in range(rows):
        for c in range(cols):
            node = r * cols + c
            if c + 1 < cols:
                _add_street(graph, positions, node, node + 1, arterial=(r % arterial_every == 0), rng=rng,
                            drop_share=missing_street_share)
            if r + 1 < rows:
                _add_street(graph, positions, node, node + cols, arterial=(c % arterial_every == 0), rng=rng,
                            drop_share=missing_street_share)
    _reconnect(graph, positions, cols)
    return RoadNetwork(graph=graph, name=f"grid-{rows}x{cols}-seed{seed}")


def _add_street(graph, positions, a, b, *, arterial: bool, rng: random.Random, drop_share: float) -> None:
    """Add a two-way street segment, or skip a residential one with probability `drop_share`."""
    if not arterial and rng.random() < drop_share:
        return
    (xa, ya), (xb, yb) = positions[a], positions[b]
    length_m = math.hypot(xb - xa, yb - ya)
    highway = "primary" if arterial else "residential"
    travel_s = edge_travel_s(length_m=length_m, speed_kmh=ROAD_CLASS_SPEED_KMH[highway])
    graph.add_edge(a, b, travel_s=travel_s, length_m=length_m, highway=highway)
    graph.add_edge(b, a, travel_s=travel_s, length_m=length_m, highway=highway)


def _reconnect(graph: nx.DiGraph, positions, cols: int) -> None:
    """Join every island left by dropped streets back to the largest component by a grid street."""
    components = sorted(nx.weakly_connected_components(graph), key=len, reverse=True)
    main = set(components[0])
    for island in components[1:]:
        for node in sorted(island):
            neighbours = [node - 1, node + 1, node - cols, node + cols]
            linked = next((n for n in neighbours if n in main and _is_grid_neighbour(node, n, cols)), None)
            if linked is not None:
                (xa, ya), (xb, yb) = positions[node], positions[linked]
                length_m = math.hypot(xb - xa, yb - ya)
                travel_s = edge_travel_s(length_m=length_m, speed_kmh=ROAD_CLASS_SPEED_KMH["residential"])
                graph.add_edge(node, linked, travel_s=travel_s, length_m=length_m, highway="residential")
                graph.add_edge(linked, node, travel_s=travel_s, length_m=length_m, highway="residential")
                break
        main |= island


def _is_grid_neighbour(a: int, b: int, cols: int) -> bool:
    return abs(a - b) == cols or (abs(a - b) == 1 and a // cols == b // cols)


def _node_lon_lat(node, data) -> tuple[float, float]:
    """Return a node's longitude and latitude from OSMnx's `lon`/`lat`, else `x`/`y` in degrees."""
    for lon_key, lat_key in (("lon", "lat"), ("x", "y")):
        if lon_key in data and lat_key in data:
            lon, lat = float(data[lon_key]), float(data[lat_key])
            if -180 <= lon <= 180 and -90 <= lat <= 90:
                return lon, lat
    raise InvalidInput(f"node {node} has no longitude and latitude", field="lon")


def _first_of(value) -> str | None:
    """Return the first item of an OSMnx list-as-string, or the value itself."""
    if value is None:
        return None
    if isinstance(value, list):
        return str(value[0]) if value else None
    text = str(value).strip()
    if text.startswith("["):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return str(items[0]) if items else None
    return text


def _parse_maxspeed_kmh(value) -> float | None:
    """Return the lowest posted speed in km/h from values like ``"25 mph"``, ``"50"``, lists."""
    if value is None:
        return None
    speeds = []
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?", str(value)):
        kmh = float(number) * (_MPH_TO_KMH if unit == "mph" else 1.0)
        if kmh > 0:
            speeds.append(kmh)
    return min(speeds) if speeds else None
