"""The console's sensors: the list with each sensor's latest value and band, a sensor's page with
a chart of its recent readings and the rules' firings, and the integrity board's stale sensors
and refused readings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coordination import Role
from coordination.intake import IncomingMessage
from tests.coordination.intake.gauges import register_drains, senml
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture
from tests.web.console_session import heading_of, sign_in_as

pytestmark = pytest.mark.database


@pytest.fixture
def officer_client(client, make_user):
    sign_in_as(client, make_user, Role.DUTY_OFFICER, "asha")
    return client


def take(app, *messages: bytes) -> None:
    app.extensions["iccc"].intake.take([IncomingMessage(source="mqtt", origin="iccc/readings/x", payload=payload)
                                        for payload in messages])


def test_the_sensors_page_lists_latest_values_and_bands_and_a_sensor_page_charts_its_readings(
        app, officer_client, store, clock, shipped_rules):
    register_drains(store, clock, 3)
    take(app, *[senml("drain-1", value, at=clock.now() - timedelta(minutes=minutes))
                for minutes, value in [(30, 0.2), (20, 0.4), (10, 1.2)]])
    take(app, senml("drain-2", 0.8), senml("drain-3", 1.7))
    page = officer_client.get("/console/sensors").get_data(as_text=True)
    assert heading_of(page).startswith("Sensors")
    rows = {row_id: row for row_id, row in
            ((chunk.split('"', 1)[0], chunk) for chunk in page.split('<tr id="sensor-')[1:])}
    assert "1.2 m" in rows["drain-1"] and "severe" in rows["drain-1"]
    assert "0.8 m" in rows["drain-2"] and "moderate" in rows["drain-2"]
    assert "extreme" in rows["drain-3"]
    sensor = officer_client.get("/console/sensors/drain-1").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in sensor
    assert "3 readings from" in sensor and "the last 1.2 m" in sensor
    firings = sensor.split('id="firings"')[1].split("</section>")[0]
    assert "drains-flood v2: raised → declared" in firings and "/console/incidents/" in firings
    assert officer_client.get("/console/sensors/nothing").status_code == 404


def test_the_integrity_board_lists_stale_sensors_and_refused_readings(app, officer_client, store, clock,
                                                                      shipped_rules):
    register_drains(store, clock, 2)
    take(app, senml("drain-1", 0.2))
    clock.advance(minutes=2)
    take(app, senml("drain-2", 0.2), json.dumps([{"n": "drain-9", "u": "m", "v": 1}]).encode())
    clock.advance(minutes=2)
    page = officer_client.get("/console/integrity").get_data(as_text=True)
    stale = page.split('id="stale-sensors"')[1].split("</section>")[0]
    assert "drain-1" in stale and "drain-2" not in stale
    refused = page.split('id="intake-dead-letters"')[1].split("</section>")[0]
    assert "Refused readings, last day (1)" in refused and "unknown sensor" in refused and "drain-9" in refused
