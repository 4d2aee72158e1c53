"""POST /api/v1/alerts/cap: valid CAP 1.2 alerts are accepted and acted on, Update and Cancel
follow `references`, Test/Exercise/Draft never start a live SOP; public notices go out as
schema-valid CAP 1.2 in the public feed once a duty officer approves them."""

from __future__ import annotations

import threading

import pytest
from lxml import etree
from sqlalchemy import select

from coordination import Role
from coordination.cap import cap_schema, parse_cap_alert
from coordination.store.tables import (
    CapAlertRecord,
    DuplicateReport,
    Incident,
    OfficerAlert,
    PublicNotice,
    SopRunRecord,
    WebhookMessage,
)
from tests.conftest import shared_file
from tests.web.conftest import bearer
from tests.web.cap_alerts import cap_alert

pytestmark = pytest.mark.database

VALID = ["43b080713727.cap", "australia.cap", "canada.cap", "canada_signed.cap", "earthquake-iso8859-1.cap",
         "thunderstorm.cap", "wcatwc-warning.cap"]


@pytest.fixture
def source(make_token):
    return bearer(make_token(Role.ALERT_SOURCE, "met-office"))


def post_cap(client, headers, data: bytes):
    return client.post("/api/v1/alerts/cap", data=data, content_type="application/cap+xml", headers=headers)


def test_every_valid_alert_in_the_reference_set_is_accepted(client, source, officer):
    for name in VALID:
        response = post_cap(client, source, shared_file(f"cap/{name}").read_bytes())
        assert response.status_code == 201, (name, response.json)
    listed = client.get("/api/v1/alerts/cap", headers=officer).json
    assert listed["total"] == len(VALID)


@pytest.mark.parametrize("name, field", [("invalid.cap", "alert.scope"), ("canada_errors.cap", "alert.references"),
                                         ("xee.cap", "alert")])
def test_invalid_alerts_are_rejected_with_a_reason(client, source, name, field):
    response = post_cap(client, source, shared_file(f"cap/{name}").read_bytes())
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["field"] == field and response.json["detail"]


def test_an_actual_alert_declares_an_incident_and_starts_its_sop_once(client, source, store, make_agency):
    make_agency("disaster-mgmt", "disaster_management")
    first = post_cap(client, source, cap_alert("flood-1"))
    again = post_cap(client, source, cap_alert("flood-1"))
    assert (first.status_code, again.status_code) == (201, 200) and again.json["repeated"] is True
    assert first.json["outcome"] == "declared"
    with store.transaction() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert (incident.incident_type, incident.severity.value, incident.is_exercise) == ("flood", "severe", False)
        assert incident.place_name == "Ward 5"  # the alert's <areaDesc>
        assert session.scalars(select(SopRunRecord)).all()


def test_a_second_source_warning_of_the_same_flood_is_linked_not_declared_again(client, source, store,
                                                                               make_token, make_agency):
    make_agency("disaster-mgmt", "disaster_management")
    first = post_cap(client, source, cap_alert("flood-1")).json
    other_source = bearer(make_token(Role.ALERT_SOURCE, "flood-sensors"))
    second = post_cap(client, other_source, cap_alert("sensor-77")).json
    assert second["outcome"] == "linked" and second["incident_id"] == first["incident_id"]
    assert "no second SOP" in second["detail"]
    with store.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 1
        assert len(session.scalars(select(SopRunRecord)).all()) == 1
        [linked] = session.scalars(select(DuplicateReport)).all()
        assert str(linked.incident_id) == first["incident_id"] and linked.reported_by.endswith("flood-sensors")


def test_update_and_cancel_follow_references(client, source, store, make_agency):
    make_agency("disaster-mgmt", "disaster_management", webhook_url="http://127.0.0.1:9/ddma")
    declared = post_cap(client, source, cap_alert("flood-1")).json
    update = post_cap(client, source, cap_alert("flood-2", msg_type="Update", severity="Extreme",
                                                 references="flood-1")).json
    assert (update["outcome"], update["incident_id"]) == ("updated", declared["incident_id"])
    cancel = post_cap(client, source, cap_alert("flood-3", msg_type="Cancel", references="flood-2")).json
    assert (cancel["outcome"], cancel["incident_id"]) == ("cancelled", declared["incident_id"])
    with store.transaction() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert (incident.severity.value, incident.status.value) == ("extreme", "closed")
        [run] = session.scalars(select(SopRunRecord)).all()
        assert run.status == "stood_down", "a cancelled alert's SOP stops, so no deadline escalates for it"
        assert incident.tasks and all(task.status.value == "cancelled" for task in incident.tasks)
        cancelled = session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == "task.cancelled")).all()
        assert len(cancelled) == len(incident.tasks), "each agency is told its task is off"
        [alert] = session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "cap.cancelled")).all()
        assert "stood down" in alert.summary


@pytest.mark.parametrize("status, outcome", [("Test", "recorded"), ("Draft", "recorded"), ("Exercise", "exercise")])
def test_test_exercise_and_draft_alerts_never_start_a_live_sop(client, source, store, status, outcome):
    response = post_cap(client, source, cap_alert("drill-1", status=status))
    assert response.status_code == 201 and response.json["outcome"] == outcome
    with store.transaction() as session:
        assert session.scalars(select(SopRunRecord)).all() == []
        assert all(incident.is_exercise for incident in session.scalars(select(Incident)))


NOTICE = {
    "event": "Urban flooding", "categories": ["Met"], "urgency": "Immediate", "severity": "Severe",
    "certainty": "Observed", "response_types": ["Avoid"], "headline": "Flooding in Ward 5 — avoid the underpass",
    "description": "Water 60 cm deep at the Silk Board underpass.", "instruction": "Use the Hosur Road flyover.",
    "area": {"description": "Ward 5", "polygon": {"type": "Polygon", "coordinates": [
        [[77.5, 12.9], [77.6, 12.9], [77.6, 13.0], [77.5, 13.0], [77.5, 12.9]]]},
        "circle": {"center": [77.62, 12.91], "radius_km": 2}},
}


def test_an_approved_notice_is_published_as_a_schema_valid_cap_alert(client, officer, admin):
    drafted = client.post("/api/v1/notices", json=NOTICE, headers=admin)
    assert drafted.status_code == 201
    feed = client.get("/api/v1/public/alerts")
    assert feed.status_code == 200 and b"<entry" not in feed.data  # nothing goes out before approval
    assert client.post(f"/api/v1/notices/{drafted.json['id']}/approve", headers=admin).status_code == 403
    approved = client.post(f"/api/v1/notices/{drafted.json['id']}/approve", headers=officer)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert client.post(f"/api/v1/notices/{drafted.json['id']}/approve", headers=officer).json == approved.json

    single = client.get(f"/api/v1/public/alerts/{drafted.json['id']}")
    assert single.mimetype == "application/cap+xml"
    assert cap_schema().validate(etree.fromstring(single.data))
    alert = parse_cap_alert(single.data)
    assert alert.status == "Actual" and alert.scope == "Public" and alert.sent.endswith("+00:00")
    assert alert.infos[0].areas[0].polygons[0][0] == (12.9, 77.5)  # latitude first, as CAP requires

    feed = etree.fromstring(client.get("/api/v1/public/alerts").data)
    [entry_alert] = feed.findall(".//{urn:oasis:names:tc:emergency:cap:1.2}alert")
    assert cap_schema().validate(entry_alert)


def test_the_same_alert_posted_at_the_same_moment_is_acted_on_once(app, source, store):
    barrier = threading.Barrier(4)
    statuses = []

    def post():
        client = app.test_client()
        barrier.wait()
        statuses.append(post_cap(client, source, cap_alert("flood-9")).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    with store.transaction() as session:
        assert len(session.scalars(select(Incident)).all()) == 1


def test_an_alert_in_iso_8859_1_is_kept_as_sent(client, source, officer, store):
    assert post_cap(client, source, shared_file("cap/earthquake-iso8859-1.cap").read_bytes()).status_code == 201
    with store.transaction() as session:
        record = session.scalar(select(CapAlertRecord))
        assert "\ufffd" not in record.xml


def test_a_notice_an_sop_step_published_is_in_the_cap_feed_without_the_exact_address(client, store, clock,
                                                                                    make_agency, make_incident):
    make_agency("fire-central", "fire")
    incident_id = make_incident()
    with store.transaction() as session:
        run = session.scalar(select(SopRunRecord).where(SopRunRecord.incident_id == incident_id))
        notice = PublicNotice(incident_id=incident_id, run_id=run.id, step_id="public_alert",
                              message="Fire on MG Road: keep clear of the area", approved_by="duty_officer:asha",
                              published_at=clock.now())
        session.add(notice)
        session.flush()
        notice_id = notice.id
    single = client.get(f"/api/v1/public/alerts/{notice_id}")
    assert single.status_code == 200 and cap_schema().validate(etree.fromstring(single.data))
    alert = parse_cap_alert(single.data)
    [circle] = alert.infos[0].areas[0].circles
    assert (circle.longitude, circle.latitude) == (77.595, 12.975)  # snapped, not 77.5946, 12.9716
    assert (alert.infos[0].event, alert.infos[0].severity) == ("Building fire", "Severe")
    feed = etree.fromstring(client.get("/api/v1/public/alerts").data)
    assert len(feed.findall(".//{urn:oasis:names:tc:emergency:cap:1.2}alert")) == 1
