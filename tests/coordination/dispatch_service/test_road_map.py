"""The road network as the console's map draws it: every street once, by class."""

from __future__ import annotations

import gzip
import json

from coordination.dispatch_service import roads
from coordination.dispatch_service.road_map import RoadMap, road_map_for
from tests.conftest import shared_file


def test_the_demo_city_is_drawn_with_each_two_way_street_once():
    road_map = road_map_for(source=roads.DEMO_ROAD_NETWORK)
    network = roads.load_road_network(source=roads.DEMO_ROAD_NETWORK)
    assert len(road_map.ends) == network.edge_count // 2
    west, south, east, north = road_map.bounds
    assert west < 77.5946 < east and south < 12.9716 < north
    assert road_map_for(source=roads.DEMO_ROAD_NETWORK) is road_map


def test_every_segment_is_drawn_with_no_budget_one_line_each():
    road_map = road_map_for(source=roads.DEMO_ROAD_NETWORK)
    collection = json.loads(gzip.decompress(road_map.geojson_gzip))
    assert [f["properties"]["class"] for f in collection["features"]] == ["primary", "minor"]  # major first
    assert sum(f["properties"]["segments"] for f in collection["features"]) == len(road_map.ends)
    lines = [line for f in collection["features"] for line in f["geometry"]["coordinates"]]
    assert len(lines) == len(road_map.ends) and {len(line) for line in lines} == {2}


def test_a_graphml_network_keeps_its_street_names_and_road_classes():
    road_map = RoadMap.of(roads.load_road_network(source=str(shared_file("roads/momepy_nyc_graph.graphml"))))
    assert {"Broadway", "Amsterdam Avenue", "West 86th Street"} <= set(road_map.streets)
    classes = {f["properties"]["class"] for f in road_map.feature_collection()["features"]}
    assert len(classes) >= 2
