"""The public feed: no token, no personal data, locations snapped to a grid, each type published
after its delay (or never), exercises never."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from coordination.public_feed import PublicationPolicy, parse_delays, snap
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


@pytest.fixture
def app(app):
    settings = app.extensions["iccc"].settings
    app.extensions["iccc"].settings = replace(settings, publication=PublicationPolicy(
        default_delay=timedelta(minutes=15), delays={"road_accident": timedelta(hours=1), "crowd_surge": None}))
    return app


def report(kind: str, longitude: float, **changes) -> dict:
    return {**FIRE_REPORT, "type": kind, "location": {"type": "Point", "coordinates": [longitude, 12.97163]},
            **changes}


def test_incidents_appear_after_their_types_delay_without_personal_data(client, officer, clock, make_agency):
    make_agency("fire-central", "fire")
    for kind, longitude in [("building_fire", 77.5946), ("road_accident", 77.61), ("crowd_surge", 77.63)]:
        assert client.post("/api/v1/incidents", json=report(kind, longitude), headers=officer).status_code == 201
    client.post("/api/v1/incidents", json=report("building_fire", 77.70, is_exercise=True), headers=officer)
    assert client.get("/api/v1/public/incidents").json["items"] == []
    clock.advance(minutes=16)
    assert [item["type"] for item in client.get("/api/v1/public/incidents").json["items"]] == ["building_fire"]
    clock.advance(minutes=45)
    response = client.get("/api/v1/public/incidents")
    items = response.json["items"]
    assert sorted(item["type"] for item in items) == ["building_fire", "road_accident"]  # crowd surges: never
    text = response.get_data(as_text=True)
    for private in ("Asha", "98450", "Smoke from the third floor", "reporter", "description"):
        assert private not in text
    fire = next(item for item in items if item["type"] == "building_fire")
    assert fire["location"]["coordinates"] == [77.595, 12.975]  # the centre of its 0.01-degree cell


def test_the_geojson_feed_is_a_feature_collection_of_the_same_items(client, officer, clock, make_agency):
    make_agency("fire-central", "fire")
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    clock.advance(minutes=20)
    response = client.get("/api/v1/public/incidents.geojson")
    assert response.mimetype == "application/geo+json"
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["type"] == "building_fire"


def test_delays_are_configured_per_type():
    default, delays = parse_delays("default=600,crowd_surge=never,road_accident=1800")
    assert default == timedelta(minutes=10)
    assert delays == {"crowd_surge": None, "road_accident": timedelta(minutes=30)}
    assert snap(77.5946, 12.9716, 0.01) == (77.595, 12.975)
