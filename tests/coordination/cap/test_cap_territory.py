"""The centre's territory: an alert whose areas lie wholly outside it (another state's, another
country's, from a national or international feed) is recorded with the reason and never declares
an incident or starts an SOP. The boundary is a configured GeoJSON file, else the union of the
agencies' jurisdictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point, box
from sqlalchemy import func, select

from coordination import SYSTEM, InvalidInput
from coordination.cap import CapPlaces, default_mapping, load_territory, receive_cap_alert
from coordination.store.tables import CapAlertRecord, Incident, OfficerAlert, SopRunRecord
from tests.conftest import shared_file
from tests.coordination.cap.feeds import feed_alert
from tests.coordination.cap.test_cap_intake import flood_alert

pytestmark = pytest.mark.database

BENGALURU = {"type": "Polygon", "coordinates": [[[77.45, 12.85], [77.75, 12.85], [77.75, 13.10], [77.45, 13.10],
                                                  [77.45, 12.85]]]}
OAXACA_COAST = box(-97.5, 15.5, -96.0, 16.5)  # a centre on the Oaxaca coast, lon/lat


def receive(store, clock, data: bytes, places: CapPlaces = CapPlaces()):
    with store.transaction() as session:
        receipt = receive_cap_alert(session=session, clock=clock, data=data, mapping=default_mapping(), actor=SYSTEM,
                                    places=places)
        return receipt.record.outcome, receipt.record.incident_id, receipt.record.detail


def counts(store) -> tuple[int, int, int]:
    with store.transaction() as session:
        return tuple(session.scalar(select(func.count()).select_from(table))
                     for table in (Incident, SopRunRecord, OfficerAlert))


@pytest.mark.parametrize("data", [feed_alert("ciclon_tropical.xml"), shared_file("cap/canada.cap").read_bytes(),
                                  feed_alert("aemet_vientos.xml")], ids=["mexico", "canada", "spain"])
def test_an_alert_for_another_country_is_recorded_and_declares_nothing(store, clock, make_agency, data):
    make_agency("ddma", "disaster_management", jurisdiction=BENGALURU)
    outcome, incident_id, detail = receive(store, clock, data)
    assert (outcome, incident_id) == ("outside", None)
    assert "wholly outside the centre's territory" in detail
    assert counts(store) == (0, 0, 0)  # no incident, no SOP, no officer alert for each foreign alert
    with store.transaction() as session:
        assert session.scalar(select(CapAlertRecord.detail)) == detail


def test_an_alert_inside_the_jurisdictions_still_declares(store, clock, make_agency):
    make_agency("ddma", "disaster_management", jurisdiction=BENGALURU)
    outcome, incident_id, detail = receive(store, clock, flood_alert("flood-1"))
    assert outcome == "declared" and incident_id is not None and "placed by polygon" in detail
    assert counts(store)[:2] == (1, 1)


def test_a_configured_territory_replaces_the_jurisdictions_and_the_incident_is_placed_inside_it(store, clock,
                                                                                               make_agency):
    make_agency("ddma", "disaster_management", jurisdiction=BENGALURU)
    places = CapPlaces(territory=OAXACA_COAST)
    assert receive(store, clock, flood_alert("flood-1"), places)[0] == "outside"  # Bengaluru is not ours now
    outcome, incident_id, _detail = receive(store, clock, feed_alert("ciclon_tropical.xml"), places)
    assert outcome == "declared"
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        # The warning runs along 400 km of coast; the incident is put in the part that is ours.
        assert OAXACA_COAST.contains(Point(incident.longitude, incident.latitude))
        assert incident.incident_type == "cyclone_warning"


def test_a_centre_with_no_boundary_and_no_jurisdictions_cannot_tell_and_acts_as_before(store, clock, make_agency):
    make_agency("ddma", "disaster_management")  # city-wide: no jurisdiction
    assert receive(store, clock, feed_alert("ciclon_tropical.xml"))[0] == "declared"


def write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_the_territory_file_may_be_a_geometry_a_feature_or_a_collection(tmp_path):
    feature = {"type": "Feature", "properties": {"name": "BBMP"}, "geometry": BENGALURU}
    for data in (BENGALURU, feature, {"type": "FeatureCollection", "features": [feature]}):
        assert load_territory(write(tmp_path / "t.geojson", data)).bounds == (77.45, 12.85, 77.75, 13.10)


@pytest.mark.parametrize("data, message", [
    ('{"type": "Polygon",\n "coordinates": [[[77.4, 12.8],]]}', "t.geojson:2: not JSON"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point",
                                                                                 "coordinates": [77.5, 12.9]}}]},
     "t.geojson: feature 0: the territory must be a Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[277.4, 12.8], [277.5, 12.8], [277.5, 12.9], [277.4, 12.8]]]},
     "coordinates must be [longitude, latitude]"),
])
def test_a_bad_territory_file_stops_the_start_naming_the_file_and_where(tmp_path, data, message):
    with pytest.raises(InvalidInput) as caught:
        load_territory(write(tmp_path / "t.geojson", data))
    assert caught.value.field == "ICCC_TERRITORY" and message in str(caught.value)
