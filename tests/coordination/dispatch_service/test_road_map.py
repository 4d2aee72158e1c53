"""The road network as the console's map draws it: each street once, major roads first within a
budget, by bounding box."""

from __future__ import annotations

import pytest

from coordination.dispatch_service import roads
from coordination.dispatch_service.road_map import RoadMap, road_map_for
from coordination.errors import InvalidInput
from tests.conftest import shared_file


def test_the_demo_city_is_drawn_with_each_two_way_street_once():
    road_map = road_map_for(source=roads.DEMO_ROAD_NETWORK)
    network = roads.load_road_network(source=roads.DEMO_ROAD_NETWORK)
    assert len(road_map.ends) == network.edge_count // 2
    west, south, east, north = road_map.bounds
    assert west < 77.5946 < east and south < 12.9716 < north
    assert road_map_for(source=roads.DEMO_ROAD_NETWORK) is road_map


def test_a_view_over_budget_keeps_whole_classes_of_major_roads_and_says_it_left_some_out():
    road_map = road_map_for(source=roads.DEMO_ROAD_NETWORK)
    primary = sum(1 for rank in road_map.ranks if rank == 1)
    whole = road_map.view(budget=primary + 100)  # room for every arterial, not for every side street
    assert whole["truncated"] and whole["in_view"] == len(road_map.ends)
    assert [group["class"] for group in whole["classes"]] == ["primary"] and whole["shown"] == primary
    sampled = road_map.view(budget=100)  # not even the arterials fit: an even sample of them
    assert sampled["shown"] == 100 and [group["class"] for group in sampled["classes"]] == ["primary"]
    lats = sorted(segment[1] for segment in sampled["classes"][0]["segments"])
    west, south, east, north = road_map.bounds
    assert lats[0] < south + (north - south) / 4 and lats[-1] > north - (north - south) / 4  # spread over the city


def test_a_small_box_holds_every_street_that_crosses_it():
    road_map = road_map_for(source=roads.DEMO_ROAD_NETWORK)
    view = road_map.view(bbox=(77.593, 12.970, 77.596, 12.973))
    assert not view["truncated"] and 0 < view["shown"] < 100
    for group in view["classes"]:
        for lon1, lat1, lon2, lat2 in group["segments"]:
            assert max(lon1, lon2) >= 77.593 and min(lon1, lon2) <= 77.596
            assert max(lat1, lat2) >= 12.970 and min(lat1, lat2) <= 12.973
    assert road_map.view(bbox=(0.0, 0.0, 1.0, 1.0))["shown"] == 0


def test_an_inverted_box_is_refused_naming_it():
    with pytest.raises(InvalidInput) as refused:
        road_map_for(source=roads.DEMO_ROAD_NETWORK).view(bbox=(77.6, 12.9, 77.5, 13.0))
    assert refused.value.field == "bbox"


def test_a_graphml_network_keeps_its_street_names_for_the_gazetteer():
    road_map = RoadMap.of(roads.load_road_network(source=str(shared_file("roads/momepy_nyc_graph.graphml"))))
    assert {"Broadway", "Amsterdam Avenue", "West 86th Street"} <= set(road_map.streets)
    assert road_map.view()["classes"]
