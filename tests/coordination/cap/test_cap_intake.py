"""Receiving a CAP alert through the service: the incident it opens keeps where it is in words,
the first `<areaDesc>`, beside the point its polygons give."""

from __future__ import annotations

import pytest

from coordination import SYSTEM
from coordination.cap import default_mapping, receive_cap_alert
from coordination.store.tables import Incident

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
