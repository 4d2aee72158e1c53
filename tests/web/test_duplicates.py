"""Duplicate reports: the same type close in place and time to an open incident is linked to it
(and shown on it), and two identical reports at the same moment open one incident."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from coordination import Role
from coordination.store.tables import DuplicateReport, Incident
from tests.web.test_console import sign_in
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def nearby(dlon: float = 0.0, dlat: float = 0.0, **changes) -> dict:
    longitude, latitude = FIRE_REPORT["location"]["coordinates"]
    return {**FIRE_REPORT, "location": {"type": "Point", "coordinates": [longitude + dlon, latitude + dlat]},
            "reporter": {"name": "Ravi", "phone": "+91 99000 11111"}, **changes}


def test_a_second_report_nearby_is_linked_and_shown_not_opened(client, officer, viewer, make_agency, make_token):
    make_agency("fire-central", "fire")
    first = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    second = client.post("/api/v1/incidents", json=nearby(dlat=0.001, place_name="Corner of MG Road"),
                         headers=officer)  # about 110 m away
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["duplicate_of"] == first.json["id"]
    shown = client.get(f"/api/v1/incidents/{first.json['id']}", headers=officer).json["duplicate_reports"]
    assert len(shown) == 1 and 100 < shown[0]["distance_m"] < 120
    assert shown[0]["reporter"]["name"] == "Ravi"
    assert shown[0]["place_name"] == "Corner of MG Road"  # the caller's words, though the incident has none
    assert client.get(f"/api/v1/incidents/{first.json['id']}", headers=officer).json["place_name"] is None
    sign_in(client, make_token(Role.DUTY_OFFICER, "desk"))
    page = client.get(f"/console/incidents/{first.json['id']}").get_data(as_text=True)
    assert '(<span class="place-name">Corner of MG Road</span>)' in page
    assert "reporter" not in client.get(f"/api/v1/incidents/{first.json['id']}", headers=viewer).json[
        "duplicate_reports"][0]


def test_other_types_far_places_and_old_incidents_are_not_duplicates(client, officer, clock, make_agency):
    make_agency("fire-central", "fire")
    assert client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).status_code == 201
    assert client.post("/api/v1/incidents", json=nearby(dlat=0.01), headers=officer).status_code == 201  # 1.1 km
    assert client.post("/api/v1/incidents", json=nearby(type="gas_leak"), headers=officer).status_code == 201
    clock.advance(minutes=121)
    assert client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).status_code == 201


def test_two_identical_reports_at_the_same_moment_open_one_incident(app, officer, store, make_agency):
    """Concurrent requests, each in its own thread and transaction (on PostgreSQL, two real
    connections): the per-type lock makes the second see the first's incident."""
    make_agency("fire-central", "fire")
    barrier = threading.Barrier(4)
    statuses = []

    def report():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).status_code)

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        assert session.scalar(select(func.count()).select_from(DuplicateReport)) == 3
