"""The map page and its data: who may see it and who may declare on it, the GeoJSON it is drawn
from, the place look-up, and a declaration's bad input answered beside the field."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from coordination import Role
from coordination.dispatch_service import DEMO_FLEET, DEMO_ROAD_NETWORK, road_map_for, use_road_network
from coordination.lifecycles import IncidentStatus
from coordination.planner import UnitStatus
from coordination.store.tables import Incident, ResponseUnit
from tests.conftest import LOOPBACK, shared_file
from tests.web.conftest import FIRE_REPORT
from web.app.config import Settings
from web.app.factory import create_app
from tests.web.test_console import csrf_of, sign_in

pytestmark = pytest.mark.database

DATA = ["/console/map/layers.json", "/console/map/live.json", "/console/map/base/roads.geojson",
        "/console/map/coverage.geojson", "/console/map/history.geojson", "/console/map/sensors.geojson", "/console/map/places?q=Town%20Hall"]


def declare(client, **fields):
    page = client.get("/console/map").get_data(as_text=True)
    return client.post("/console/map/incidents", data={"csrf": csrf_of(page), **fields})


def error_beside(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_nobody_signed_in_is_sent_to_sign_in_and_the_data_is_401_problem_json(client):
    page = client.get("/console/map")
    assert page.status_code == 302 and page.headers["Location"].endswith("/console/sign-in")
    for url in DATA:
        response = client.get(url)
        assert response.status_code == 401 and response.mimetype == "application/problem+json", url


def test_an_agency_user_may_not_open_the_map_or_its_data(client, make_agency):
    _id, token, _secret = make_agency("fire-central", "fire")
    sign_in(client, token)
    assert client.get("/console/map").status_code == 403
    for url in DATA:
        assert client.get(url).status_code == 403, url
    assert client.post("/console/map/incidents", data={"location": "12.97, 77.59"}).status_code == 403


def test_a_viewer_sees_the_map_but_cannot_declare(client, city, make_token):
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    page = client.get("/console/map").get_data(as_text=True)
    assert 'id="city-map"' in page and 'id="declare-form"' not in page
    assert 'href="/console/map" aria-current="page">Map</a>' in page
    assert client.get("/console/map/live.json").status_code == 200
    page = client.get("/console/map").get_data(as_text=True)
    refused = client.post("/console/map/incidents", data={"csrf": csrf_of(page), "location": "12.97, 77.59",
                                                          "type": "building_fire", "severity": "severe"})
    assert refused.status_code == 403


def test_the_layers_are_geojson_from_the_engines_own_data(client, city, officer, make_token, make_agency):
    make_agency("water-north", "water", jurisdiction={"type": "Polygon", "coordinates": [
        [[77.58, 12.98], [77.60, 12.98], [77.60, 13.0], [77.58, 13.0], [77.58, 12.98]]]})
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    sign_in(client, make_token())
    layers = client.get("/console/map/layers.json").json
    west, south, east, north = layers["bounds"]
    assert west < 77.5946 < east and south < 12.9716 < north
    [area] = layers["jurisdictions"]["features"]
    assert area["properties"]["code"] == "water-north" and area["geometry"]["type"] == "Polygon"
    assert area["properties"]["label_point"] == [77.59, 12.99]
    stations = layers["stations"]["features"]
    assert len(stations) == sum(kind.stations for kind in DEMO_FLEET) and {"code", "name", "agency", "kind"} <= set(stations[0]["properties"])

    live = client.get("/console/map/live.json").json
    units = live["units"]["features"]
    assert live["units"]["type"] == "FeatureCollection" and len(units) == sum(kind.stations * len(kind.units) for kind in DEMO_FLEET)
    assert {unit["properties"]["status"] for unit in units} == {"available"}
    assert {unit["properties"]["seen_s"] for unit in units} == {None}  # no fix yet: at their stations
    [incident] = live["incidents"]["features"]
    assert incident["geometry"]["coordinates"] == [77.5946, 12.9716]
    assert incident["properties"]["severity"] == "severe" and incident["properties"]["url"].startswith("/console/")


def test_every_street_of_the_dispatch_network_is_in_the_base_map(client, make_token):
    sign_in(client, make_token())
    response = client.get("/console/map/base/roads.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.headers["Content-Encoding"] == "gzip"
    roads = json.loads(gzip.decompress(response.get_data()))
    streets = road_map_for(source=DEMO_ROAD_NETWORK)
    by_class = {feature["properties"]["class"]: feature for feature in roads["features"]}
    assert set(by_class) == {"primary", "minor"}
    assert sum(feature["properties"]["segments"] for feature in roads["features"]) == len(streets.ends)
    # Joined into lines, every segment's ends are still there, and nothing else is.
    drawn = {tuple(point) for feature in roads["features"] for line in feature["geometry"]["coordinates"]
             for point in line}
    ends = {tuple(point) for point in streets.ends.round(5).reshape(-1, 2).tolist()}
    assert drawn == ends
    assert client.get("/console/map/base/ferries.geojson").status_code == 404


def test_coverage_shades_where_no_free_unit_of_the_type_arrives_in_time(client, store, city, make_token):
    sign_in(client, make_token())
    everyone = client.get("/console/map/coverage.geojson?need=als_ambulance&minutes=8").json
    assert everyone["summary"]["free_units"] == 5 and everyone["summary"]["covered_percent"] > 60
    with store.transaction() as session:
        for unit in session.scalars(select(ResponseUnit).where(ResponseUnit.unit_type == "als_ambulance")).unique():
            unit.status = UnitStatus.OUT_OF_SERVICE
    nobody = client.get("/console/map/coverage.geojson?need=als_ambulance&minutes=8").json
    assert nobody["summary"] == {"need": "als_ambulance", "within_s": 480, "free_units": 0, "covered_percent": 0.0}
    assert len(nobody["features"]) > len(everyone["features"])
    assert nobody["features"][0]["geometry"]["type"] == "Polygon"
    bls = client.get("/console/map/coverage.geojson?need=bls&minutes=8").json  # a capability: ambulances have it
    assert bls["summary"]["free_units"] == 10
    for query, field in [("need=hovercraft", "need"), ("minutes=0", "minutes"), ("minutes=61", "minutes"),
                         ("minutes=eight", "minutes")]:
        response = client.get(f"/console/map/coverage.geojson?{query}")
        assert response.status_code == 422 and response.json["field"] == field, query


def test_the_heat_map_holds_the_incidents_of_the_period_whatever_became_of_them(client, store, clock, officer,
                                                                                 make_token):
    sign_in(client, make_token())
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    with store.transaction() as session:
        session.scalars(select(Incident)).one().status = IncidentStatus.CLOSED
    [point] = client.get("/console/map/history.geojson?hours=24").json["features"]
    assert point["geometry"]["coordinates"] == [77.5946, 12.9716] and point["properties"]["weight"] == 0.8
    clock.advance(minutes=25 * 60)
    assert client.get("/console/map/history.geojson?hours=24").json["features"] == []
    assert len(client.get("/console/map/history.geojson?hours=48").json["features"]) == 1
    assert client.get("/console/map/history.geojson?hours=0").json["field"] == "hours"


def test_the_place_look_up_answers_a_point_or_a_problem_naming_q(client, city, make_token):
    sign_in(client, make_token())
    town_hall = client.get("/console/map/places?q=town%20hall").json
    assert town_hall["kind"] == "landmark" and town_hall["location"]["coordinates"] == [77.5855, 12.9637]
    station = client.get("/console/map/places?q=FS-01").json
    assert station["kind"] == "station" and station["name"].startswith("Fire and Emergency Services")
    unknown = client.get("/console/map/places?q=Atlantis")
    assert unknown.status_code == 422 and unknown.mimetype == "application/problem+json"
    assert unknown.json["field"] == "q" and "no place called 'Atlantis'" in unknown.json["detail"]


def test_the_citys_own_landmarks_are_found_by_name_or_alias_and_kept_as_the_place(app, client, store, city,
                                                                                  make_token):
    services = app.extensions["iccc"]
    services.settings = replace(services.settings, landmarks=(
        ("Forum Mall", 77.6101, 12.9345), ("The Forum", 77.6101, 12.9345)))
    sign_in(client, make_token())
    found = client.get("/console/map/places?q=the%20forum").json
    assert found["kind"] == "landmark" and found["location"]["coordinates"] == [77.6101, 12.9345]
    assert client.get("/console/map/places?q=Town%20Hall").status_code == 200  # the demo's stay beside them
    assert declare(client, location="Forum Mall", type="building_fire", severity="severe").status_code == 302
    with store.transaction() as session:
        assert session.scalar(select(Incident.place_name)) == "Forum Mall"


def test_declaring_at_a_named_place_starts_the_sop_like_the_api(client, store, city, make_token):
    sign_in(client, make_token())
    declared = declare(client, location="Town Hall", type="building_fire", severity="severe",
                       description="smoke from the roof")
    assert declared.status_code == 302 and "/console/incidents/" in declared.headers["Location"]
    page = client.get(declared.headers["Location"]).get_data(as_text=True)
    assert "smoke from the roof" in page and "fire-central" in page
    with store.transaction() as session:
        incident = session.scalar(select(Incident))
        assert (incident.longitude, incident.latitude) == (77.5855, 12.9637)
        assert incident.declared_by == "duty_officer:duty-officer" and incident.runs and incident.tasks


@pytest.mark.parametrize("typed, kept", [
    ("town hall", "Town Hall"),                                       # as the gazetteer spells it
    ("FS-01", "Fire and Emergency Services, Central, station 1"),    # a code says which station
    ("12.9716, 77.5946", None),                                       # the point says it all
])
def test_a_place_typed_on_the_map_is_kept_in_words_and_shown_beside_the_point(client, store, city, make_token,
                                                                              typed, kept):
    sign_in(client, make_token())
    declared = declare(client, location=typed, type="building_fire", severity="severe")
    assert declared.status_code == 302
    with store.transaction() as session:
        incident = session.scalar(select(Incident))
        assert incident.place_name == kept
        point = f"{incident.latitude:.5f}, {incident.longitude:.5f}"
    page = client.get(declared.headers["Location"]).get_data(as_text=True)
    if kept:
        assert f'where: <span class="place-name">{kept}</span>\n  ({point})</small>' in page
    else:
        assert f"at {point}</small>" in page and 'class="place-name"' not in page
    [shown] = client.get("/console/map/live.json").json["incidents"]["features"]
    assert shown["properties"]["place_name"] == kept


@pytest.mark.parametrize("location", ["12.9716, 77.5946", "Town Hall"])
def test_a_place_name_the_officer_types_is_kept_whether_the_point_was_clicked_or_named(client, store, city,
                                                                                       make_token, location):
    sign_in(client, make_token())
    declared = declare(client, location=location, place_name="behind the bus depot", type="building_fire",
                       severity="severe")
    assert declared.status_code == 302
    with store.transaction() as session:
        assert session.scalar(select(Incident.place_name)) == "behind the bus depot"


def test_a_second_report_nearby_is_linked_as_a_duplicate(client, store, city, make_token):
    sign_in(client, make_token())
    first = declare(client, location="12.9716, 77.5946", type="building_fire", severity="severe")
    second = declare(client, location="12.9717, 77.5947", type="building_fire", severity="moderate",
                     description="second caller")
    assert second.headers["Location"] == first.headers["Location"] + "#duplicates-heading"
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Duplicate report" in page and "second caller" in page
    with store.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 1


@pytest.mark.parametrize("fields, field, message", [
    ({"location": ""}, "location", "say where: click the map"),
    ({"location": "77.59, 12.97"}, "location", "did you mean 12.97, 77.59 (latitude first)?"),
    ({"location": "Atlantis"}, "location", "no place called &#39;Atlantis&#39;"),
    ({"type": ""}, "type", "unknown incident type &#39;&#39;"),
    ({"type": "alien_landing"}, "type", "unknown incident type &#39;alien_landing&#39;"),
    ({"severity": "apocalyptic"}, "severity", "choose one of: minor, moderate, severe, extreme"),
    ({"description": "x" * 4001}, "description", "at most 4000 characters"),
    ({"place_name": "x" * 201}, "place_name", "at most 200 characters"),
])
def test_bad_input_is_explained_beside_its_field_and_nothing_is_declared(client, store, city, make_token,
                                                                         fields, field, message):
    sign_in(client, make_token())
    good = {"location": "12.97, 77.59", "type": "building_fire", "severity": "severe", "description": ""}
    response = declare(client, **{**good, **fields})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in error_beside(page, field)
    assert f'aria-describedby="{field}' in page and 'aria-invalid="true"' in page
    with store.transaction() as session:
        assert session.scalar(select(Incident)) is None


def test_several_bad_fields_are_all_explained_and_the_form_keeps_what_was_typed(client, city, make_token):
    sign_in(client, make_token())
    page = declare(client, location="Atlantis", type="", severity="", description="keep me").get_data(as_text=True)
    assert error_beside(page, "location") and error_beside(page, "type") and error_beside(page, "severity")
    assert 'value="Atlantis"' in page and ">keep me</textarea>" in page


def test_a_declaration_without_the_form_token_is_refused(client, make_token):
    sign_in(client, make_token())
    refused = client.post("/console/map/incidents", data={"location": "12.97, 77.59", "type": "building_fire",
                                                          "severity": "severe"})
    assert refused.status_code == 400


def test_units_on_the_map_move_with_their_reports(client, store, city, officer, make_token):
    sign_in(client, make_token())
    with store.transaction() as session:
        unit = session.scalars(select(ResponseUnit).where(ResponseUnit.code == "FS-01-1")).unique().one()
        unit.status = unit.status.__class__("out_of_service")
    live = client.get("/console/map/live.json").json
    [shown] = [u for u in live["units"]["features"] if u["properties"]["code"] == "FS-01-1"]
    assert shown["properties"]["status"] == "out_of_service"


@pytest.fixture
def osm_city_client(store, clock):
    """A server whose road network is an OSM extract (the process's network is the demo's again after)."""
    settings = Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK, secret_key="test-key",
                        road_network=str(shared_file("roads/pyrosm_test.osm.pbf")))
    yield create_app(settings, store=store, clock=clock).test_client()
    use_road_network(source=DEMO_ROAD_NETWORK)


def test_a_city_from_an_osm_file_has_its_water_parks_and_buildings_under_the_streets(osm_city_client, make_token):
    client = osm_city_client
    sign_in(client, make_token())
    page = client.get("/console/map").get_data(as_text=True)
    assert 'data-base-layers="roads,parks,buildings"' in page
    assert 'data-layer="buildings"' in page and 'data-layer="water"' not in page  # no water in this extract
    buildings = json.loads(gzip.decompress(client.get("/console/map/base/buildings.geojson").get_data()))
    assert len(buildings["features"]) == 2171
    missing = client.get("/console/map/base/water.geojson")
    assert missing.status_code == 404 and "roads, parks, buildings" in missing.json["detail"]
    west, south, east, north = client.get("/console/map/layers.json").json["bounds"]
    assert west < east and south < north and not (west < 77.5946 < east)  # the file's city, not the demo's


def test_the_sensors_layer_reads_the_sensors_with_the_console_session(client, city, admin, make_token):
    client.post("/api/v1/sensors", headers=admin, json={
        "id": "drain-1", "kind": "water_level", "unit": "m", "agency": "municipal-corp", "interval_s": 60,
        "location": {"type": "Point", "coordinates": [77.59, 12.97]}, "name": "Silk Board drain"})
    sign_in(client, make_token(Role.VIEWER, "wall-screen"))
    [sensor] = client.get("/console/map/sensors.geojson").json["features"]
    assert sensor["geometry"]["coordinates"] == [77.59, 12.97]
    assert {k: sensor["properties"][k] for k in ("id", "kind", "value", "unit")} == \
        {"id": "drain-1", "kind": "water_level", "value": None, "unit": "m"}
