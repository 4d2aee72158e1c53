"""Alerts placed by code: a zone alert with no polygon or circle but with `<geocode>` values the
centre's table knows (the NWS's UGC zones here; a state's district codes alike) is placed inside
those areas; codes the table does not know leave it for a person, naming them. The table is a CSV
or GeoJSON file whose mistakes are named by file and line (or feature)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point, box

from coordination import SYSTEM, InvalidInput
from coordination.cap import CapPlaces, default_mapping, load_geocodes, receive_cap_alert
from coordination.store.tables import Incident, OfficerAlert
from tests.coordination.cap.feeds import feed_alert

pytestmark = pytest.mark.database

SANTA_CLARITA = box(-118.65, 34.35, -118.35, 34.55)   # stand-ins for the NWS zones CAZ376 and CAZ378
SAN_FERNANDO = box(-118.65, 34.15, -118.30, 34.35)
LOS_ANGELES = box(-118.95, 33.70, -117.65, 34.85)     # the centre's territory

TABLE_CSV = f"""value_name,value,name,wkt
UGC,CAZ376,Santa Clarita Valley,"{SANTA_CLARITA.wkt}"
UGC,CAZ378,San Fernando Valley,"{SAN_FERNANDO.wkt}"
"""


def table(tmp_path: Path, text: str = TABLE_CSV, name: str = "zones.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_geocodes(path)


def receive(store, clock, data: bytes, places: CapPlaces):
    with store.transaction() as session:
        receipt = receive_cap_alert(session=session, clock=clock, data=data, mapping=default_mapping(), actor=SYSTEM,
                                    places=places)
        return receipt.record, session.get(Incident, receipt.record.incident_id) if receipt.record.incident_id else None


def test_a_zone_alert_is_placed_by_the_geocodes_the_centre_knows(store, clock, shipped_sops, tmp_path):
    places = CapPlaces(territory=LOS_ANGELES, geocodes=table(tmp_path))
    record, incident = receive(store, clock, feed_alert("nws_flash_flood.xml"), places)
    assert record.outcome == "declared" and incident.incident_type == "flood"
    assert (SANTA_CLARITA.union(SAN_FERNANDO)).contains(Point(incident.longitude, incident.latitude))
    assert "placed by geocode UGC CAZ376, UGC CAZ378" in record.detail
    assert incident.place_name == "Santa Clarita Valley; San Fernando Valley"


def test_known_codes_for_somewhere_else_make_the_alert_outside(store, clock, shipped_sops, tmp_path):
    places = CapPlaces(territory=box(77.45, 12.85, 77.75, 13.10), geocodes=table(tmp_path))
    record, incident = receive(store, clock, feed_alert("nws_flash_flood.xml"), places)
    assert (record.outcome, incident) == ("outside", None)


def test_codes_the_table_does_not_know_leave_the_alert_to_a_person_naming_them(store, clock, shipped_sops):
    record, incident = receive(store, clock, feed_alert("nws_flash_flood.xml"), CapPlaces(territory=LOS_ANGELES))
    assert (record.outcome, incident) == ("recorded", None)
    assert "knows none of SAME 006037, UGC CAZ376, UGC CAZ378" in record.detail
    with store.transaction() as session:
        assert session.query(OfficerAlert).filter_by(kind="cap.not_actionable").count() == 1


def test_a_geojson_table_may_give_several_codes_for_one_area(tmp_path):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"value_name": "SAME", "value": ["006037", "006111"], "name": "LA"},
         "geometry": json.loads(json.dumps(LOS_ANGELES.__geo_interface__))}]}
    codes = table(tmp_path, json.dumps(collection), "codes.geojson")
    assert codes.area_of("same", "006111").equals(LOS_ANGELES) and len(codes) == 2


@pytest.mark.parametrize("text, name, message", [
    ("code,value\nUGC,CAZ376\n", "zones.csv", "zones.csv:1: the header must name value_name, value and wkt"),
    (TABLE_CSV + "UGC,CAZ379,Malibu,\"POLYGON ((1 2, 3\"\n", "zones.csv", "zones.csv:4: wkt is not a WKT geometry"),
    (TABLE_CSV + f"ugc,CAZ376,again,\"{SANTA_CLARITA.wkt}\"\n", "zones.csv",
     "zones.csv:4: the code ugc CAZ376 is given twice (also at "),
    ("value_name,value,wkt\n,CAZ1,POINT (1 2)\n", "zones.csv", "zones.csv:2: value_name and value must both be given"),
    ('{"type": "FeatureCollection", "features": [\n{"type": "Feature", "properties": {"value_name": "UGC"}, '
     '"geometry": null}]}', "zones.geojson", "zones.geojson: feature 0: properties value_name (text) and value"),
    ('{"type": "FeatureCollection",\n "features": [}', "zones.geojson", "zones.geojson:2: not JSON"),
])
def test_a_bad_table_names_the_file_and_the_line_or_feature(tmp_path, text, name, message):
    with pytest.raises(InvalidInput) as caught:
        table(tmp_path, text, name)
    assert caught.value.field == "ICCC_CAP_GEOCODES" and message in str(caught.value)
