"""The road network: travel times from lengths and speeds, snapping, and one Dijkstra per incident."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from coordination.planner import (
    RoadNetwork,
    TravelTimes,
    edge_travel_s,
    generate_grid_city,
    load_graphml_network,
    speed_kmh_for,
)
from coordination.errors import InvalidInput

from dispatch_fakes import SHARED_DATA

NYC_GRAPHML = SHARED_DATA / "roads" / "momepy_nyc_graph.graphml"


@pytest.fixture(scope="module")
def nyc() -> RoadNetwork:
    if not NYC_GRAPHML.exists():
        pytest.skip(f"needs {NYC_GRAPHML} (the shared reference data is absent)")
    return load_graphml_network(path=NYC_GRAPHML)


def test_a_posted_speed_wins_over_the_road_class_and_mph_is_converted():
    assert speed_kmh_for(highway="residential", maxspeed="25 mph") == pytest.approx(40.2336)
    assert speed_kmh_for(highway="residential", maxspeed="60") == 60
    assert speed_kmh_for(highway="primary", maxspeed="['25 mph', '30 mph']") == pytest.approx(40.2336)
    assert speed_kmh_for(highway="['primary', 'secondary']", maxspeed=None) == 50
    assert speed_kmh_for(highway="no_such_class", maxspeed="signals") == 30


def test_travel_time_is_length_over_speed():
    assert edge_travel_s(length_m=500, speed_kmh=36) == 50
    with pytest.raises(InvalidInput):
        edge_travel_s(length_m=500, speed_kmh=0)


def test_the_shared_manhattan_graph_loads_with_times_both_ways(nyc):
    """The file is undirected (OSMnx export via momepy): every street is driven both ways, at its
    posted speed where it has one and at its road class's speed where it does not."""
    raw = nx.read_graphml(NYC_GRAPHML)
    assert nyc.node_count == raw.number_of_nodes() == 46
    assert nyc.edge_count == 2 * raw.number_of_edges()
    for tail, head, data in raw.edges(data=True):
        speed = speed_kmh_for(highway=data.get("highway"), maxspeed=data.get("maxspeed"))
        expected_s = float(data["length"]) / (speed / 3.6)
        assert nyc.graph[tail][head]["travel_s"] == pytest.approx(expected_s)
        assert nyc.graph[head][tail]["travel_s"] == pytest.approx(expected_s)


def test_dijkstra_times_agree_with_networkx_on_the_shared_graph_from_every_target(nyc):
    travel = TravelTimes(network=nyc)
    reversed_graph = nyc.graph.reverse(copy=False)
    for target in nyc.graph.nodes:
        expected = nx.single_source_dijkstra_path_length(reversed_graph, target, weight="travel_s")
        times = travel.all_travel_s_to(target=target)
        for node, position in travel.index_of.items():
            assert times[position] == pytest.approx(expected.get(node, math.inf), rel=1e-6, abs=1e-3)


def test_times_run_towards_the_target_on_one_way_streets():
    """A one-way street a -> b: from a to b is 10 s; from b to a is unreachable."""
    graph = nx.DiGraph()
    graph.add_node("a", lon=0.0, lat=0.0)
    graph.add_node("b", lon=0.001, lat=0.0)
    graph.add_edge("a", "b", travel_s=10.0)
    travel = TravelTimes(network=RoadNetwork(graph=graph))
    assert travel.travel_s_to(target="b", origins=["a", "b"]).tolist() == [10.0, 0.0]
    assert travel.travel_s_to(target="a", origins=["b"]).tolist() == [math.inf]


def test_each_target_is_searched_once_and_then_looked_up():
    city = generate_grid_city(rows=12, cols=12, seed=3)
    travel = TravelTimes(network=city)
    first = travel.travel_s_to(target=5, origins=[0, 143])
    again = travel.travel_s_to(target=5, origins=[143, 0])
    assert travel.searches_run == 1
    assert again.tolist() == first[::-1].tolist()


def test_a_point_snaps_to_the_nearest_node(nyc):
    travel = TravelTimes(network=nyc)
    node = next(iter(nyc.graph.nodes))
    lon, lat = nyc.graph.nodes[node]["lon"], nyc.graph.nodes[node]["lat"]
    assert travel.nearest_node(lon=lon + 0.00001, lat=lat - 0.00001) == node
    assert travel.nearest_nodes(points=[(lon, lat), (lon, lat)]) == [node, node]


def test_an_unknown_node_is_refused_by_name():
    travel = TravelTimes(network=generate_grid_city(rows=3, cols=3, seed=0))
    with pytest.raises(InvalidInput, match="'nowhere'"):
        travel.all_travel_s_to(target="nowhere")


def test_the_demo_city_is_seeded_connected_and_agrees_with_networkx():
    city = generate_grid_city(rows=20, cols=20, seed=7)
    same = generate_grid_city(rows=20, cols=20, seed=7)
    other = generate_grid_city(rows=20, cols=20, seed=8)
    assert nx.utils.graphs_equal(city.graph, same.graph) and not nx.utils.graphs_equal(city.graph, other.graph)
    assert nx.is_strongly_connected(city.graph)
    assert {h for _, _, h in city.graph.edges(data="highway")} == {"primary", "residential"}
    travel = TravelTimes(network=city)
    expected = nx.single_source_dijkstra_path_length(city.graph.reverse(copy=False), 210, weight="travel_s")
    times = travel.all_travel_s_to(target=210)
    assert np.allclose([times[travel.index_of[n]] for n in expected], list(expected.values()), rtol=1e-6)
