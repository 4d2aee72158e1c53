"""Receiving a CAP alert through the service: the incident it opens keeps where it is in words,
the first `<areaDesc>`, beside the point its polygons give; an Update revises that incident as a
duty officer's revision would (severity, place, location, description), and the agencies working
it are told."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from coordination import SYSTEM, stand_down
from coordination.cap import default_mapping, receive_cap_alert
from coordination.store.tables import Incident, OfficerAlert, TimelineEntry, WebhookMessage

pytestmark = pytest.mark.database


def two_ward_alert(status: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>flood-{status}</identifier><sender>imd-bengaluru@example</sender>
  <sent>2026-07-01T09:00:00+05:30</sent><status>{status}</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <category>Met</category><event>Flash flood</event><urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Observed</certainty><senderName>IMD Bengaluru</senderName>
    <headline>Flash flooding in Koramangala</headline>
    <area><areaDesc>Ward 151, Koramangala</areaDesc>
      <polygon>12.92,77.61 12.92,77.64 12.95,77.64 12.95,77.61 12.92,77.61</polygon></area>
    <area><areaDesc>Ward 152, Suddaguntepalya</areaDesc><circle>12.94,77.62 2</circle></area>
  </info>
</alert>""".encode("utf-8")


@pytest.mark.parametrize("status, outcome", [("Actual", "declared"), ("Exercise", "exercise")])
def test_the_incident_an_alert_opens_is_named_by_its_first_area(store, clock, shipped_sops, status, outcome):
    with store.transaction() as session:
        receipt = receive_cap_alert(session=session, clock=clock, data=two_ward_alert(status),
                                    mapping=default_mapping(), actor=SYSTEM)
        assert receipt.record.outcome == outcome
        incident = session.get(Incident, receipt.record.incident_id)
        assert incident.place_name == "Ward 151, Koramangala"
        assert (round(incident.longitude, 3), round(incident.latitude, 3)) == (77.625, 12.935)


def flood_alert(identifier: str, *, msg_type: str = "Alert", severity: str = "Severe", references: str = "",
                area: str = "Ward 151, Koramangala",
                polygon: str = "12.92,77.61 12.92,77.64 12.95,77.64 12.95,77.61 12.92,77.61") -> bytes:
    sent = "2026-07-01T09:00:00+05:30"
    refs = f"<references>imd-bengaluru@example,{references},{sent}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>imd-bengaluru@example</sender>
  <sent>{sent}</sent><status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info>
    <category>Met</category><event>Flash flood</event><urgency>Immediate</urgency>
    <severity>{severity}</severity><certainty>Observed</certainty><senderName>IMD Bengaluru</senderName>
    <headline>Flash flooding in {area}</headline>
    <area><areaDesc>{area}</areaDesc><polygon>{polygon}</polygon></area>
  </info>
</alert>""".encode("utf-8")


def receive(store, clock, data: bytes):
    with store.transaction() as session:
        receipt = receive_cap_alert(session=session, clock=clock, data=data, mapping=default_mapping(), actor=SYSTEM)
        return receipt.record.outcome, receipt.record.incident_id, receipt.detail


def test_an_update_revises_severity_place_and_location_and_tells_the_agencies_working_it(store, clock,
                                                                                        make_agency):
    make_agency("ddma", "disaster_management", webhook_url="http://127.0.0.1:9/ddma")
    _outcome, incident_id, _detail = receive(store, clock, flood_alert("flood-1"))
    outcome, updated_id, detail = receive(store, clock, flood_alert(
        "flood-2", msg_type="Update", severity="Extreme", references="flood-1", area="Ward 152, Suddaguntepalya",
        polygon="12.93,77.62 12.93,77.65 12.96,77.65 12.96,77.62 12.93,77.62"))
    assert (outcome, updated_id) == ("updated", incident_id)
    assert detail.startswith(f"updated incident {incident_id}: severity severe -> extreme; moved ")
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert (incident.severity.value, incident.place_name) == ("extreme", "Ward 152, Suddaguntepalya")
        assert (round(incident.longitude, 3), round(incident.latitude, 3)) == (77.635, 12.945)
        [entry] = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "incident.revised")).all()
        assert entry.data["changes"]["place_name"] == {"before": "Ward 151, Koramangala",
                                                       "after": "Ward 152, Suddaguntepalya"}
        assert entry.data["changes"]["location"]["distance_m"] > 1000
        [message] = session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == "incident.updated")
                                    ).unique().all()
        assert message.agency.code == "ddma"
        assert json.loads(message.body)["data"]["incident"]["place_name"] == "Ward 152, Suddaguntepalya"
        [run] = incident.runs
        assert run.state["incident"]["severity"] == "extreme"


def test_an_update_revises_only_what_differs(store, clock, make_agency):
    make_agency("ddma", "disaster_management", webhook_url="http://127.0.0.1:9/ddma")
    receive(store, clock, flood_alert("flood-1"))
    outcome, _incident_id, detail = receive(store, clock, flood_alert("flood-2", msg_type="Update",
                                                                       references="flood-1"))
    assert outcome == "updated" and detail.endswith("description rewritten")  # the description names the Update
    with store.transaction() as session:
        [entry] = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "incident.revised")).all()
        assert set(entry.data["changes"]) == {"description"}


def test_an_update_to_a_closed_incident_is_recorded_and_raised_to_the_duty_officer(store, clock, make_agency):
    make_agency("ddma", "disaster_management", webhook_url="http://127.0.0.1:9/ddma")
    _outcome, incident_id, _detail = receive(store, clock, flood_alert("flood-1"))
    with store.transaction() as session:
        stand_down(session=session, clock=clock, principal=SYSTEM, incident_id=incident_id, reason="receded")
    outcome, updated_id, detail = receive(store, clock, flood_alert("flood-2", msg_type="Update", severity="Extreme",
                                                                      references="flood-1"))
    assert (outcome, updated_id) == ("recorded", incident_id)
    assert "closed" in detail
    with store.transaction() as session:
        assert session.get(Incident, incident_id).severity.value == "severe"
        [alert] = session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "cap.not_actionable")).all()
        assert "not revised" in alert.summary
        assert session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == "incident.updated")
                               ).all() == []
