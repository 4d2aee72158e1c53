"""A city from an OpenStreetMap file: the drivable network dispatch plans on (one-way streets one
way, footpaths left out, cut to its largest strongly connected part), and the water, parks and
buildings the map draws under the streets; `iccc map build` writes them as GeoJSON."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from coordination.dispatch_service.base_map import build_base_map
from coordination.dispatch_service.osm_file import NOT_DRIVABLE, load_osm_network, osm_areas
from coordination.dispatch_service.roads import load_road_network
from coordination.errors import InvalidInput
from processes.cli import main
from tests.conftest import shared_file

# Four junctions in a square, 0.001 degrees apart: a one-way street along the south side (1 -> 2),
# two-way streets round the other sides, a footway across, and a lake and a park beside them.
TINY_CITY = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="12.970" lon="77.590" version="1"/>
  <node id="2" lat="12.970" lon="77.591" version="1"/>
  <node id="3" lat="12.971" lon="77.591" version="1"/>
  <node id="4" lat="12.971" lon="77.590" version="1"/>
  <node id="11" lat="12.972" lon="77.590" version="1"/>
  <node id="12" lat="12.972" lon="77.591" version="1"/>
  <node id="13" lat="12.973" lon="77.591" version="1"/>
  <node id="21" lat="12.968" lon="77.590" version="1"/>
  <node id="22" lat="12.968" lon="77.591" version="1"/>
  <node id="23" lat="12.969" lon="77.591" version="1"/>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/><tag k="oneway" v="yes"/><tag k="name" v="Lake Road"/></way>
  <way id="101" version="1"><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="highway" v="primary"/><tag k="name" v="Ring Road"/></way>
  <way id="102" version="1"><nd ref="1"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="200" version="1"><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="11"/><tag k="natural" v="water"/><tag k="name" v="Ulsoor Lake"/></way>
  <way id="201" version="1"><nd ref="21"/><nd ref="22"/><nd ref="23"/><nd ref="21"/><tag k="leisure" v="park"/></way>
</osm>
"""


@pytest.fixture
def tiny_city(tmp_path):
    path = tmp_path / "tiny.osm"
    path.write_text(TINY_CITY, encoding="utf-8")
    return path


def test_one_way_streets_are_driven_one_way_and_footways_not_at_all(tiny_city):
    network = load_road_network(source=str(tiny_city))
    graph = network.graph
    assert set(graph.nodes) == {1, 2, 3, 4}
    assert graph.has_edge(1, 2) and not graph.has_edge(2, 1)  # Lake Road is one way
    assert graph.has_edge(2, 3) and graph.has_edge(3, 2)
    assert not graph.has_edge(1, 3) and not graph.has_edge(3, 1)  # the footway
    lake_road = graph.edges[1, 2]
    assert lake_road["name"] == "Lake Road" and lake_road["highway"] == "residential"
    assert 105 < lake_road["length_m"] < 110 and lake_road["travel_s"] == pytest.approx(lake_road["length_m"] / (25 / 3.6))


def test_water_and_parks_are_areas_of_their_own_layers(tiny_city):
    areas = osm_areas(path=tiny_city)
    [lake] = areas["water"]["features"]
    assert lake["properties"] == {"name": "Ulsoor Lake"} and lake["geometry"]["type"] == "MultiPolygon"
    assert len(areas["parks"]["features"]) == 1 and areas["buildings"]["features"] == []


def test_a_real_extract_gives_a_connected_drivable_network_its_parks_and_its_buildings():
    path = shared_file("roads/pyrosm_test.osm.pbf")
    network = load_osm_network(path=path)
    assert network.node_count > 500 and nx.is_strongly_connected(network.graph)
    assert not {data["highway"] for _, _, data in network.graph.edges(data=True)} & NOT_DRIVABLE
    base_map = build_base_map(source=str(path))
    assert base_map.names == ["roads", "parks", "buildings"]  # no water in this extract: no empty layer
    assert base_map.features["buildings"] == 2171 and base_map.features["parks"] > 0


def test_a_file_with_no_road_is_refused_naming_it(tmp_path):
    path = tmp_path / "lake.osm"
    path.write_text(TINY_CITY.split("  <way id=\"100\"")[0] + "</osm>\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no drivable road"):
        load_osm_network(path=path)


def test_iccc_map_build_writes_each_layer_as_geojson(tiny_city, tmp_path):
    out = tmp_path / "map"
    result = CliRunner().invoke(main, ["map", "build", "--network", str(tiny_city), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["parks.geojson", "roads.geojson", "water.geojson"]
    roads = json.loads((out / "roads.geojson").read_text())
    assert sum(f["properties"]["segments"] for f in roads["features"]) == 4
    assert "roads.geojson: 4 street segments" in result.output and "built in roads" in result.output
    missing = CliRunner().invoke(main, ["map", "build", "--network", str(tmp_path / "nowhere.osm.pbf")])
    assert missing.exit_code == 1 and "nowhere.osm.pbf" in missing.output
