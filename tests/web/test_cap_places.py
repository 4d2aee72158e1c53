"""The territory and the geocode table from the settings, through the API and the console: an
alert for another country is answered 201 as recorded, listed on the console's CAP alerts page
with the reason, and opens nothing."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import func, select

from coordination import InvalidInput, Role
from coordination.store.tables import Incident
from tests.coordination.cap.feeds import feed_alert
from tests.web.conftest import bearer
from tests.web.test_console import sign_in
from web.app.config import Settings

pytestmark = pytest.mark.database

BENGALURU = {"type": "Polygon", "coordinates": [[[77.45, 12.85], [77.75, 12.85], [77.75, 13.10], [77.45, 13.10],
                                                  [77.45, 12.85]]]}


def test_an_alert_for_another_country_is_recorded_and_shown_with_the_reason(client, store, make_agency, make_token):
    make_agency("ddma", "disaster_management", jurisdiction=BENGALURU)
    response = client.post("/api/v1/alerts/cap", data=feed_alert("ciclon_tropical.xml"),
                           content_type="application/cap+xml", headers=bearer(make_token(Role.ALERT_SOURCE, "feed")))
    assert response.status_code == 201 and response.json["outcome"] == "outside"
    assert response.json["incident_id"] is None and "outside the centre's territory" in response.json["detail"]
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
    sign_in(client, make_token(Role.DUTY_OFFICER, "night-officer"))
    page = html.unescape(client.get("/console/alerts").get_data(as_text=True))
    assert "outside the territory: recorded only" in page
    assert "its areas lie wholly outside the centre's territory (Costa de Oaxaca y Guerrero)" in page
    filtered = html.unescape(client.get("/console/alerts?outcome=outside").get_data(as_text=True))
    assert "Ciclón tropical" in filtered


def test_the_territory_and_the_geocodes_are_read_from_the_environment(monkeypatch, tmp_path):
    (tmp_path / "territory.geojson").write_text(json.dumps(BENGALURU))
    (tmp_path / "wards.csv").write_text('value_name,value,wkt\nBBMP-ward,151,"POLYGON ((77.61 12.92, 77.64 12.92, '
                                        '77.64 12.95, 77.61 12.92))"\n')
    monkeypatch.setenv("ICCC_TERRITORY", str(tmp_path / "territory.geojson"))
    monkeypatch.setenv("ICCC_CAP_GEOCODES", str(tmp_path / "wards.csv"))
    places = Settings.from_environment(data_dir=tmp_path).cap_places
    assert places.territory.bounds == (77.45, 12.85, 77.75, 13.10)
    assert places.geocodes.area_of("bbmp-ward", "151") is not None
    (tmp_path / "wards.csv").write_text("value_name,value,wkt\nBBMP-ward,151,POINT (77.6\n")
    with pytest.raises(InvalidInput) as caught:
        Settings.from_environment(data_dir=tmp_path)
    assert caught.value.field == "ICCC_CAP_GEOCODES" and "wards.csv:2:" in str(caught.value)
