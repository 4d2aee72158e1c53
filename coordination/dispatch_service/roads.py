"""The road network the dispatch service plans on: the demo city's generated grid, a GraphML file,
or an OpenStreetMap file (`.osm.pbf`, `.osm`).

Building travel times costs a graph load and an index; searches are cached per target. One
`TravelTimes` per network source is kept for the life of the process, so each request (and the
SOP engine's dispatch step, which has no web context to carry one) finds the searches the
requests before it already ran.
"""

from __future__ import annotations

import threading
from pathlib import Path

from coordination.demo_city import CITY_CENTRE
from coordination.dispatch_service.osm_file import is_osm_file, load_osm_network
from coordination.planner import RoadNetwork, TravelTimes, generate_grid_city, load_graphml_network

DEMO_ROAD_NETWORK = "demo"
"""The source name of the generated demo-city grid."""

DEMO_GRID_SIZE = 60
"""Rows and columns of the demo city: 3,600 junctions 150 m apart, about 9 km across."""

DEMO_GRID_SEED = 5

_networks: dict[str, TravelTimes] = {}
_default_source = DEMO_ROAD_NETWORK
_lock = threading.Lock()
# TravelTimes caches searches and is not thread-safe; requests run in several threads.
_search_lock = threading.Lock()


def use_road_network(*, source: str) -> TravelTimes:
    """Make `source` the network of this process (the server calls it once at start) and return it.

    Callers without a web context, such as the SOP engine's dispatch step, then plan on the
    configured network rather than the demo grid.
    """
    global _default_source
    travel = travel_times_for(source=source)
    _default_source = source
    return travel


def travel_times_for(*, source: str | None = None) -> TravelTimes:
    """Return the shared travel times of a network: ``"demo"``, the path of a GraphML file, or
    (None) the network `use_road_network` chose, the demo city's if none was chosen.

    Raises:
        InvalidInput: the GraphML file has a node without coordinates or an edge without a length.
        OSError: the file cannot be read.
    """
    source = source or _default_source
    with _lock:
        travel = _networks.get(source)
        if travel is None:
            travel = _networks[source] = TravelTimes(network=load_road_network(source=source))
        return travel


def load_road_network(*, source: str) -> RoadNetwork:
    """Build the network named by `source` (``"demo"``, a GraphML or an OSM file's path); uncached.

    Raises: what `travel_times_for` raises.
    """
    if source == DEMO_ROAD_NETWORK:
        return generate_grid_city(rows=DEMO_GRID_SIZE, cols=DEMO_GRID_SIZE, seed=DEMO_GRID_SEED, centre=CITY_CENTRE)
    if is_osm_file(source):
        return load_osm_network(path=Path(source))
    return load_graphml_network(path=Path(source))


def search_lock() -> threading.Lock:
    """The lock to hold while planning on a shared `TravelTimes` (its cache is not thread-safe)."""
    return _search_lock
