"""The console map's base layers for a road network source, as gzip-compressed GeoJSON.

`roads` is every street of the dispatch network (`RoadMap`); a network read from an OSM file
adds `water`, `parks` and `buildings` from the same file. Built once per process, when the map
first asks (about a second for the demo city, a few for a 100,000-node city: see the README),
so the map always shows the network the dispatcher plans on; `iccc map build` writes the same
layers to files, to check what a city's data gives and costs before serving it.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from coordination.dispatch_service.osm_file import BASE_LAYERS, is_osm_file, osm_areas
from coordination.dispatch_service.road_map import road_map_for


@dataclass(frozen=True)
class BaseMap:
    """Layer name -> gzip-compressed GeoJSON, with each layer's feature count and build seconds."""

    layers: dict[str, bytes]
    features: dict[str, int]
    built_s: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The layers with something to draw, streets first."""
        return [name for name in ("roads", *BASE_LAYERS) if self.features.get(name)]

    def write(self, folder: Path) -> list[Path]:
        """Write each layer as `NAME.geojson` (plain, for any GIS tool) into `folder`; return the files."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name in self.names:
            path = folder / f"{name}.geojson"
            path.write_bytes(gzip.decompress(self.layers[name]))
            written.append(path)
        return written


def build_base_map(*, source: str) -> BaseMap:
    """Build every base layer of `source` (uncached). Raises what loading the network raises."""
    started = time.perf_counter()
    streets = road_map_for(source=source)
    roads = streets.geojson_gzip
    built_s = {"roads": time.perf_counter() - started}
    layers = {"roads": roads}
    features = {"roads": len(streets.ends)}
    if is_osm_file(source):
        started = time.perf_counter()
        for name, collection in osm_areas(path=source).items():
            layers[name] = gzip.compress(msgspec.json.encode(collection), compresslevel=5, mtime=0)
            features[name] = len(collection["features"])
        built_s["areas"] = time.perf_counter() - started
    return BaseMap(layers=layers, features=features, built_s=built_s)


_maps: dict[str, BaseMap] = {}
_lock = threading.Lock()


def base_map_for(*, source: str) -> BaseMap:
    """The base map of `source`, built once per process."""
    with _lock:
        built = _maps.get(source)
        if built is None:
            built = _maps[source] = build_base_map(source=source)
        return built
