"""Every refused CAP alert is on record (`cap.refused`, with the sender it claims and why) and on
the console's refused list, whatever refused it: XML, the schema, a CAP rule, the signature; a
source that keeps failing raises one officer alert an hour. CAP inside an EDXL-DE envelope or an
`<alerts>` collection is unwrapped and each alert received, or refused naming where it was."""

from __future__ import annotations

import base64
import html
import re

import pytest
from sqlalchemy import select

from coordination import Role
from coordination.store.tables import CapAlertRecord, OfficerAlert, TimelineEntry
from tests.conftest import shared_file
from tests.coordination.cap.feeds import feed_alert
from tests.web.cap_alerts import cap_alert
from tests.web.conftest import bearer
from tests.web.test_console import sign_in

pytestmark = pytest.mark.database


@pytest.fixture
def source(make_token):
    return bearer(make_token(Role.ALERT_SOURCE, "state-feed"))


def post(client, headers, data: bytes):
    return client.post("/api/v1/alerts/cap", data=data, content_type="application/cap+xml", headers=headers)


def refused_entries(store) -> list[TimelineEntry]:
    with store.transaction() as session:
        entries = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "cap.refused")
                                  .order_by(TimelineEntry.seq)).all()
        session.expunge_all()
        return entries


def officer_alerts(store) -> list[OfficerAlert]:
    with store.transaction() as session:
        found = session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "cap.refused")).all()
        session.expunge_all()
        return found


@pytest.mark.parametrize("data, sender, field, words", [
    (shared_file("cap/invalid.cap").read_bytes(), "sender", "alert.scope", "line 9"),
    (shared_file("cap/canada_errors.cap").read_bytes(), "cap@ec.gc.ca", "alert.references", "at least one"),
    (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><sender>x@y</sender", "", "alert", "not well-formed"),
], ids=["schema", "cap-rule", "not-xml"])
def test_every_refusal_is_recorded_with_the_sender_and_reason_and_listed(client, store, source, make_token,
                                                                         data, sender, field, words):
    response = post(client, source, data)
    assert response.status_code == 422 and response.json["field"] == field
    [entry] = refused_entries(store)
    assert entry.data["sender"] == sender and words in entry.data["reason"] and entry.actor == "alert_source:state-feed"
    assert len(officer_alerts(store)) == 1
    sign_in(client, make_token(Role.DUTY_OFFICER, "night-officer"))
    page = html.unescape(client.get("/console/alerts").get_data(as_text=True))
    refused = page[page.index('id="refused"'):]
    assert words in refused and (sender in refused)


def test_a_source_that_keeps_failing_raises_one_officer_alert_an_hour(client, store, source, clock):
    broken = shared_file("cap/invalid.cap").read_bytes()
    for _ in range(5):
        assert post(client, source, broken).status_code == 422
        clock.advance(seconds=60)
    assert len(refused_entries(store)) == 5 and len(officer_alerts(store)) == 1
    post(client, source, shared_file("cap/canada_errors.cap").read_bytes())  # another sender: its own alert
    assert len(officer_alerts(store)) == 2
    clock.advance(seconds=3600)
    post(client, source, broken)
    assert len(refused_entries(store)) == 7 and len(officer_alerts(store)) == 3


def alert_element(data: bytes) -> str:
    """The alert without its XML declaration, to embed."""
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", data.decode("utf-8"))


def edxl(*content_objects: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">
  <distributionID>ndma-2026-000123</distributionID><senderID>relay@ndma.example</senderID>
  <dateTimeSent>2026-07-01T09:00:05+05:30</dateTimeSent><distributionStatus>Actual</distributionStatus>
  <distributionType>Report</distributionType><combinedConfidentiality>UNCLASSIFIED</combinedConfidentiality>
  {''.join(content_objects)}
</EDXLDistribution>""".encode("utf-8")


def embedded(data: bytes) -> str:
    return f"<contentObject><xmlContent><embeddedXMLContent>{alert_element(data)}</embeddedXMLContent></xmlContent></contentObject>"


def base64_content(data: bytes) -> str:
    return (f"<contentObject><nonXMLContent><mimeType>application/cap+xml</mimeType>"
            f"<contentData>{base64.b64encode(data).decode()}</contentData></nonXMLContent></contentObject>")


def test_an_edxl_de_envelope_is_unwrapped_and_each_alert_received_or_refused_naming_where(client, store, source,
                                                                                         make_agency):
    make_agency("ddma", "disaster_management")
    message = edxl(embedded(cap_alert("flood-1")), embedded(shared_file("cap/invalid.cap").read_bytes()),
                   base64_content(cap_alert("flood-2", severity="Extreme")),
                   "<contentObject><contentDescription>a map</contentDescription></contentObject>")
    response = post(client, source, message)
    assert response.status_code == 201 and response.json["wrapper"] == "EDXL-DE"
    assert [alert["identifier"] for alert in response.json["alerts"]] == ["flood-1", "flood-2"]
    reasons = [refused["reason"] for refused in response.json["refused"]]
    assert reasons[0].startswith("EDXL-DE contentObject 2: line ") and "scope" in reasons[0]
    assert reasons[1].startswith("EDXL-DE contentObject 4: it carries no CAP alert")
    assert [entry.data["reason"] for entry in refused_entries(store)] == reasons
    with store.transaction() as session:
        assert {record.identifier for record in session.scalars(select(CapAlertRecord))} == {"flood-1", "flood-2"}
    assert post(client, source, message).status_code == 200  # the same envelope again: nothing new


def test_an_alerts_collection_is_unwrapped(client, store, source):
    collection = (b"<?xml version='1.0' encoding='UTF-8'?><alerts>" + alert_element(feed_alert("nws_high_wind.xml")).encode()
                  + alert_element(feed_alert("aemet_vientos.xml")).encode() + b"<notice/></alerts>")
    response = post(client, source, collection)
    assert response.status_code == 201 and response.json["wrapper"] == "<alerts>"
    assert [alert["sender"] for alert in response.json["alerts"]] == ["w-nws.webmaster@noaa.gov", "http://www.aemet.es"]
    assert response.json["refused"][0]["reason"] == "<alerts> item 3: <notice> is not a CAP <alert>"


def test_a_wrapper_with_no_acceptable_alert_is_refused_naming_it_and_the_refusal_is_kept(client, store, source):
    response = post(client, source, edxl(embedded(shared_file("cap/invalid.cap").read_bytes())))
    assert response.status_code == 422
    assert "no alert in the EDXL-DE message was accepted; EDXL-DE contentObject 1: line" in response.json["detail"]
    assert len(refused_entries(store)) == 1
    empty = post(client, source, edxl())
    assert empty.status_code == 422 and empty.json["field"] == "EDXLDistribution"
    assert "the EDXL-DE envelope has no contentObject" in refused_entries(store)[-1].data["reason"]
