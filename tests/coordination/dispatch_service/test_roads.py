"""The service's road network: the demo grid by default, a GraphML file when configured."""

from __future__ import annotations

import pytest

from coordination.dispatch_service import roads
from coordination.dispatch_service import travel_times_for, use_road_network
from tests.conftest import shared_file


@pytest.fixture
def restore_default_network():
    yield
    use_road_network(source=roads.DEMO_ROAD_NETWORK)


def test_the_default_network_is_the_demo_grid_built_once():
    travel = travel_times_for()
    assert len(travel.nodes) == roads.DEMO_GRID_SIZE ** 2
    assert travel_times_for() is travel


def test_a_configured_graphml_network_becomes_the_default_for_callers_without_one(restore_default_network):
    path = str(shared_file("roads/momepy_nyc_graph.graphml"))
    configured = use_road_network(source=path)
    assert travel_times_for() is configured
    assert len(configured.nodes) != roads.DEMO_GRID_SIZE ** 2
