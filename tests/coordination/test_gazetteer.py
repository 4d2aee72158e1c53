"""The offline gazetteer: coordinates as people type them, and the places the engine's own data
names (landmarks, stations by name or code, agencies' jurisdictions, streets and their
intersections), with an error that says what it knows when nothing or too much matches."""

from __future__ import annotations

import pytest

from coordination import SYSTEM
from coordination.demo_city import DEMO_LANDMARKS
from coordination.dispatch_service import StationRegistration, register_station, roads
from coordination.dispatch_service.road_map import RoadMap, road_map_for
from coordination.errors import InvalidInput
from coordination.gazetteer import Gazetteer, Place, city_gazetteer, locate, parse_coordinates
from coordination.geojson import GeoPoint
from tests.conftest import shared_file

CITY = road_map_for(source=roads.DEMO_ROAD_NETWORK).bounds
LANDMARKS = Gazetteer(places=[Place(name, "landmark", lon, lat) for name, lon, lat in DEMO_LANDMARKS])


def refusal(text: str, gazetteer: Gazetteer = LANDMARKS) -> str:
    with pytest.raises(InvalidInput) as refused:
        locate(text, gazetteer=gazetteer, bounds=CITY)
    assert refused.value.field == "location"
    return str(refused.value)


@pytest.mark.parametrize("typed", ["12.97, 77.59", "12.97,77.59", "12.97 77.59", " +12.97 ; 77.59 "])
def test_coordinates_are_latitude_then_longitude_as_people_write_them(typed):
    assert parse_coordinates(typed) == (77.59, 12.97)
    place = locate(typed, gazetteer=LANDMARKS, bounds=CITY)
    assert (place.kind, place.longitude, place.latitude) == ("coordinates", 77.59, 12.97)


def test_coordinates_out_of_range_or_outside_the_city_are_refused_with_the_likely_fix():
    assert "latitude 97.0 is not between -90 and 90" in refusal("97.0, 12.97")
    assert "did you mean 12.97, 77.59 (latitude first)?" in refusal("77.59, 12.97")
    assert "is outside the city" in refusal("40.78, -73.97")
    assert "say where" in refusal("   ")


def test_a_landmark_is_found_by_its_name_in_any_case_or_by_unambiguous_words():
    assert LANDMARKS.find("town hall").name == "Town Hall"
    assert LANDMARKS.find("Chinnaswamy").name == "M. Chinnaswamy Stadium"
    assert LANDMARKS.find("lalbagh garden").name == "Lalbagh Botanical Garden"


def test_an_ambiguous_name_lists_the_candidates():
    message = refusal("bus station")
    assert "matches 2 places" in message
    assert "Kempegowda Bus Station (landmark)" in message and "Shivajinagar Bus Station (landmark)" in message


def test_an_unknown_name_suggests_the_closest_and_says_what_the_gazetteer_knows():
    message = refusal("Town Hal Square")
    assert "no place called 'Town Hal Square'" in message and "12 landmarks" in message
    assert "latitude, longitude" in message
    assert "did you mean 'Town Hall'?" in refusal("twon hall")


def test_stations_by_name_or_code_and_agencies_by_their_jurisdiction(store, clock, make_agency):
    fire_id, _, _ = make_agency("fire-central", "fire", jurisdiction={
        "type": "Polygon", "coordinates": [[[77.58, 12.96], [77.61, 12.96], [77.61, 12.99], [77.58, 12.99],
                                            [77.58, 12.96]]]})
    make_agency("police-central", "police")  # city-wide: no place of its own
    with store.transaction() as session:
        register_station(session=session, clock=clock, actor=SYSTEM, registration=StationRegistration(
            code="FS-07", name="Ulsoor Fire Station", agency_id=fire_id,
            location=GeoPoint(type="Point", coordinates=(77.6201, 12.9817))))
        gazetteer = city_gazetteer(session=session, streets={}, landmarks=DEMO_LANDMARKS)
    station = gazetteer.find("FS-07")
    assert (station.name, station.kind, station.longitude, station.latitude) == \
        ("Ulsoor Fire Station", "station", 77.6201, 12.9817)
    assert gazetteer.find("ulsoor fire").name == "Ulsoor Fire Station"
    area = gazetteer.find("fire-central")
    assert area.kind == "agency" and 77.58 < area.longitude < 77.61 and 12.96 < area.latitude < 12.99
    assert "Police-Central" not in {place.name for place in gazetteer.places}
    assert gazetteer.describe() == "12 landmarks, 1 station, 1 agency"


def test_street_names_and_intersections_from_a_named_road_network(store):
    road_map = RoadMap.of(roads.load_road_network(source=str(shared_file("roads/momepy_nyc_graph.graphml"))))
    with store.transaction() as session:
        gazetteer = city_gazetteer(session=session, streets=road_map.streets)
    broadway = gazetteer.find("broadway")
    assert broadway.kind == "street" and -74.0 < broadway.longitude < -73.9
    assert gazetteer.find("W 86th St").name == "West 86th Street"
    corner = gazetteer.find("Broadway & W. 86th Street")
    assert corner.kind == "intersection" and corner.name == "Broadway & West 86th Street"
    ends = road_map.streets["Broadway"].reshape(-1, 2).tolist()
    assert [corner.longitude, corner.latitude] in [[round(x, 7), round(y, 7)] for x, y in ends]
    with pytest.raises(InvalidInput, match="West 86th Street and West 88th Street do not meet"):
        gazetteer.find("West 86th Street and West 88th Street")
    assert "two streets joined by '&'" in gazetteer.describe()
