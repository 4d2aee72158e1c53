"""A city from an OpenStreetMap file (`.osm.pbf`, `.osm`): its drivable road network for dispatch,
and the water, parks and buildings the console's map draws under the streets.

Read with pyosmium (libosmium's Python bindings): nodes' locations are cached while the ways
are read, and areas (closed ways and multipolygon relations) are assembled by libosmium, so a
lake with islands is one polygon with holes. A way that leaves the extract (its nodes are not in
the file) is cut where its nodes are missing, and the network keeps its largest strongly
connected part: a unit snapped to a fragment cut off by the extract's edge could reach nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import osmium

from coordination.errors import InvalidInput
from coordination.planner import RoadNetwork, edge_travel_s, speed_kmh_for

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")

NOT_DRIVABLE = frozenset({
    "footway", "cycleway", "path", "steps", "pedestrian", "track", "bridleway", "corridor", "elevator",
    "escalator", "platform", "raceway", "bus_guideway", "construction", "proposed", "abandoned", "planned",
    "razed", "disused", "services", "rest_area", "bus_stop", "via_ferrata", "no",
})
"""`highway` values no fire engine or ambulance drives on (as OSMnx's and pyrosm's driving filters)."""

ONE_WAY_BY_CLASS = frozenset({"motorway", "motorway_link"})
"""Classes driven one way whether or not the way says `oneway=yes` (OSM's convention)."""

AREA_KINDS: dict[str, dict[str, frozenset[str] | None]] = {
    "water": {"natural": frozenset({"water", "bay"}), "waterway": frozenset({"riverbank", "dock", "canal"}),
              "landuse": frozenset({"reservoir", "basin"}), "water": None},
    "parks": {"leisure": frozenset({"park", "garden", "playground", "nature_reserve", "pitch", "dog_park",
                                    "recreation_ground", "common"}),
              "landuse": frozenset({"grass", "forest", "recreation_ground", "meadow", "village_green", "cemetery"}),
              "natural": frozenset({"wood", "scrub", "grassland", "heath"})},
    "buildings": {"building": None},
}
"""Which tags make an area water, a park or a building (None: any value but `no`)."""

BASE_LAYERS = ("water", "parks", "buildings")
_EARTH_RADIUS_M = 6_371_000.0


def is_osm_file(source: str) -> bool:
    return source.lower().endswith(OSM_SUFFIXES)


def load_osm_network(*, path: Path | str) -> RoadNetwork:
    """The drivable road network of an OSM file, with `travel_s` on every arc as for GraphML.

    Raises:
        InvalidInput: the file holds no drivable road.
        RuntimeError: libosmium cannot read the file (its message names it).
    """
    graph = nx.DiGraph()
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    for way in processor:
        if not way.is_way():
            continue
        tags = way.tags
        highway = tags.get("highway")
        if not highway or highway in NOT_DRIVABLE or tags.get("area") == "yes" or tags.get("access") == "no":
            continue
        oneway = tags.get("oneway", "")
        forward = oneway != "-1"
        both = oneway not in ("yes", "true", "1", "-1") and highway not in ONE_WAY_BY_CLASS \
            and tags.get("junction") != "roundabout"
        speed = speed_kmh_for(highway=highway, maxspeed=tags.get("maxspeed"))
        name = tags.get("name", "")
        previous = None
        for node in way.nodes:
            here = (node.ref, node.lon, node.lat) if node.location.valid() else None
            if previous is not None and here is not None and previous[0] != here[0]:
                _add_segment(graph, previous, here, highway=highway, speed=speed, name=name,
                             forward=forward, both=both)
            previous = here
    if graph.number_of_nodes() == 0:
        raise InvalidInput(f"{path}: no drivable road (ways tagged highway=...)", field="road_network")
    largest = max(nx.strongly_connected_components(graph), key=len)
    return RoadNetwork(graph=graph.subgraph(largest).copy(), name=Path(path).name.split(".")[0])


def osm_areas(*, path: Path | str) -> dict[str, dict]:
    """Water, parks and buildings of an OSM file, each a GeoJSON FeatureCollection of (Multi)Polygons."""
    layers: dict[str, list] = {name: [] for name in BASE_LAYERS}
    factory = osmium.geom.GeoJSONFactory()
    for area in osmium.FileProcessor(str(path)).with_areas():
        if not area.is_area():
            continue
        kind = _area_kind(area.tags)
        if kind is None:
            continue
        try:
            geometry = json.loads(factory.create_multipolygon(area))
        except RuntimeError:  # a broken multipolygon in the data: left out, as every renderer does
            continue
        properties = {"name": area.tags["name"]} if "name" in area.tags else {}
        layers[kind].append({"type": "Feature", "properties": properties, "geometry": geometry})
    return {name: {"type": "FeatureCollection", "features": features} for name, features in layers.items()}


def _area_kind(tags) -> str | None:
    for kind, rules in AREA_KINDS.items():
        for key, values in rules.items():
            value = tags.get(key)
            if value is not None and value != "no" and (values is None or value in values):
                return kind
    return None


def _add_segment(graph: nx.DiGraph, a, b, *, highway: str, speed: float, name: str, forward: bool, both: bool):
    (ref_a, lon_a, lat_a), (ref_b, lon_b, lat_b) = a, b
    graph.add_node(ref_a, lon=lon_a, lat=lat_a)
    graph.add_node(ref_b, lon=lon_b, lat=lat_b)
    length_m = _haversine_m(lon_a, lat_a, lon_b, lat_b)
    travel_s = edge_travel_s(length_m=length_m, speed_kmh=speed)
    arcs = [(ref_a, ref_b), (ref_b, ref_a)] if both else [(ref_a, ref_b) if forward else (ref_b, ref_a)]
    for tail, head in arcs:
        existing = graph.get_edge_data(tail, head)
        if existing is None or existing["travel_s"] > travel_s:
            graph.add_edge(tail, head, travel_s=travel_s, length_m=length_m, highway=highway, name=name)


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))
