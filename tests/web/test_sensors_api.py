"""The sensor registry over the API: administrators register and import sensors; every reader
lists them with their latest reading; an agency sees only its own; bad input is problem+json
naming the field."""

from __future__ import annotations

import pytest

from coordination.intake import IncomingMessage
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture
from tests.web.conftest import bearer

pytestmark = pytest.mark.database


def gauge(sensor_id="drain-1", **changes) -> dict:
    return {"id": sensor_id, "kind": "water_level", "unit": "m", "agency": "municipal-corp", "interval_s": 60,
            "location": {"type": "Point", "coordinates": [77.59, 12.97]}, "name": "Silk Board drain", **changes}


def test_an_administrator_registers_a_sensor_and_readers_see_it(client, city, admin, officer):
    response = client.post("/api/v1/sensors", json=gauge(), headers=admin)
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/sensors/drain-1")
    body = client.get("/api/v1/sensors/drain-1", headers=officer).json
    assert (body["kind"], body["unit"], body["agency"]["code"], body["interval_s"]) == \
        ("water_level", "m", "municipal-corp", 60)
    assert body["location"] == {"type": "Point", "coordinates": [77.59, 12.97]} and body["latest"] is None
    client.post("/api/v1/sensors", json=gauge("button-1", kind="panic_button", unit=""), headers=admin)
    assert [item["id"] for item in client.get("/api/v1/sensors", headers=officer).json["items"]] == \
        ["button-1", "drain-1"]
    assert [item["id"] for item in client.get("/api/v1/sensors?kind=panic_button", headers=officer).json["items"]] == \
        ["button-1"]


@pytest.mark.parametrize(("changes", "field", "status"), [
    ({"unit": "ft"}, "unit", 422),
    ({"kind": "tea_level"}, "kind", 422),
    ({"agency": "nobody"}, "agency", 422),
    ({"interval_s": 0}, "interval_s", 422),
    ({"id": "drain/1"}, "id", 422),
    ({"location": {"type": "Point", "coordinates": [12.97, 200]}}, "location.coordinates.1", 422),
])
def test_a_bad_sensor_is_refused_naming_the_field(client, city, admin, changes, field, status):
    response = client.post("/api/v1/sensors", json=gauge(**changes), headers=admin)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json["field"] == field


def test_a_sensor_id_is_registered_once(client, city, admin):
    client.post("/api/v1/sensors", json=gauge(), headers=admin)
    response = client.post("/api/v1/sensors", json=gauge(), headers=admin)
    assert response.status_code == 409 and response.content_type == "application/problem+json"


def test_an_import_lists_every_bad_feature_and_imports_nothing(client, city, admin, officer):
    def feature(sensor_id, **properties):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [77.6, 12.9]},
                "properties": {"id": sensor_id, "kind": "rain_gauge", "unit": "mm/h", "agency": "municipal-corp",
                               "interval_s": 300, **properties}}

    bad = {"type": "FeatureCollection", "features": [feature("rain-1"), feature("rain-2", unit="inch"),
                                                     feature("rain-3", interval_s="often")]}
    response = client.post("/api/v1/sensors/import", json=bad, headers=admin)
    assert response.status_code == 422 and response.json["field"] == "features"
    assert [(item["index"], item["message"].split(":")[0]) for item in response.json["errors"]] == \
        [(1, "properties.unit"), (2, "properties.interval_s")]
    assert client.get("/api/v1/sensors", headers=officer).json["total"] == 0
    good = {"type": "FeatureCollection", "features": [feature("rain-1"), feature("rain-2")]}
    assert client.post("/api/v1/sensors/import", json=good, headers=admin).json == \
        {"registered": ["rain-1", "rain-2"], "changed": []}


def test_an_agency_sees_only_its_own_sensors(client, city, admin, make_agency):
    _id, token, _secret = make_agency("bescom", "electricity", "http://127.0.0.1:9/bescom")
    client.post("/api/v1/sensors", json=gauge(), headers=admin)
    client.post("/api/v1/sensors", json=gauge("feeder-1", kind="feeder_current", unit="A", agency="bescom"),
                headers=admin)
    assert [item["id"] for item in client.get("/api/v1/sensors", headers=bearer(token)).json["items"]] == ["feeder-1"]
    missing = client.get("/api/v1/sensors/drain-1", headers=bearer(token))
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


def test_the_sensors_are_a_geojson_layer_with_their_latest_value_and_band(client, app, city, admin, officer,
                                                                          shipped_rules):
    client.post("/api/v1/sensors", json=gauge(), headers=admin)
    client.post("/api/v1/sensors", json=gauge("drain-2"), headers=admin)
    app.extensions["iccc"].intake.take([IncomingMessage(
        source="http", origin="t", payload=b'[{"n":"drain-1","u":"m","v":1.2}]')])
    response = client.get("/api/v1/sensors.geojson", headers=officer)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    layer = response.json
    assert layer["type"] == "FeatureCollection"
    by_id = {feature["id"]: feature for feature in layer["features"]}
    assert by_id["drain-1"]["geometry"] == {"type": "Point", "coordinates": [77.59, 12.97]}
    assert (by_id["drain-1"]["properties"]["value"], by_id["drain-1"]["properties"]["band"]) == (1.2, "severe")
    assert (by_id["drain-2"]["properties"]["value"], by_id["drain-2"]["properties"]["band"]) == (None, None)
