"""Optional elements the CAP 1.2 schema lets a sender leave empty are read as absent: a national
feed's valid alert (the NWS sends `<polygon></polygon>` for zone alerts, and empty `<note>`,
`<references>` and parameters) is never refused over one. Rules that need a value still do."""

from __future__ import annotations

import pytest

from coordination.cap import InvalidCapAlert, parse_cap_alert
from tests.conftest import shared_file
from tests.coordination.cap.feeds import feed_alert


def test_a_national_weather_service_zone_alert_with_empty_elements_is_read():
    alert = parse_cap_alert(feed_alert("nws_high_wind.xml"))
    assert alert.references == ()
    [info] = alert.infos
    [area] = info.areas
    assert area.polygons == () and area.circles == ()
    assert area.geocodes == (("SAME", "006037"), ("UGC", "CAZ376"), ("UGC", "CAZ378"))
    assert ("SAME", "HWW") in info.event_codes
    assert "WEAHandling" not in dict(info.parameters)  # sent empty: says nothing


def alert_with(*, alert_extra: str = "", info_head: str = "", info_tail: str = "", area_extra: str = "") -> bytes:
    """A valid alert with elements slotted where the schema's order puts them."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>empty-1</identifier><sender>imd-bengaluru@example</sender><sent>2026-07-01T09:00:00+05:30</sent>
  <status>Actual</status><msgType>Alert</msgType>{alert_extra}
  <info>
    <category>Met</category><event>Flash flood</event>{info_head}<urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Observed</certainty>{info_tail}
    <area><areaDesc>Ward 5</areaDesc>{area_extra}<circle>12.97,77.59 2</circle></area>
  </info>
</alert>""".encode("utf-8")


EMPTY_BUT_VALID = {
    "source": dict(alert_extra="<source></source><scope>Public</scope>"),
    "restriction on a public alert": dict(alert_extra="<scope>Public</scope><restriction/>"),
    "addresses on a public alert": dict(alert_extra="<scope>Public</scope><addresses/>"),
    "code": dict(alert_extra="<scope>Public</scope><code/>"),
    "note": dict(alert_extra="<scope>Public</scope><note/>"),
    "references on an Alert": dict(alert_extra="<scope>Public</scope><references></references>"),
    "incidents": dict(alert_extra="<scope>Public</scope><incidents/>"),
    "audience": dict(alert_extra="<scope>Public</scope>", info_tail="<audience/>"),
    "eventCode value": dict(alert_extra="<scope>Public</scope>",
                            info_tail="<eventCode><valueName>SAME</valueName><value/></eventCode>"),
    "texts": dict(alert_extra="<scope>Public</scope>",
                  info_tail="<senderName/><headline/><description/><instruction/><web/><contact/>"),
    "parameter value": dict(alert_extra="<scope>Public</scope>",
                            info_tail="<parameter><valueName>WMOHEADER</valueName><value></value></parameter>"),
    "resource uri and digest": dict(alert_extra="<scope>Public</scope>", info_tail=(
        "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><uri/><derefUri/>"
        "<digest/></resource>")),
    "polygon": dict(alert_extra="<scope>Public</scope>", area_extra="<polygon></polygon>"),
    "circle beside one": dict(alert_extra="<scope>Public</scope>", area_extra="<circle/>"),
}


@pytest.mark.parametrize("slots", EMPTY_BUT_VALID.values(), ids=EMPTY_BUT_VALID.keys())
def test_an_optional_element_sent_empty_is_read_as_absent(slots):
    alert = parse_cap_alert(alert_with(**slots))
    [area] = alert.infos[0].areas
    assert [(circle.latitude, circle.longitude) for circle in area.circles] == [(12.97, 77.59)]
    assert area.polygons == () and alert.references == ()


def test_empty_elements_a_cap_rule_needs_filled_are_still_refused():
    with pytest.raises(InvalidCapAlert) as update:
        parse_cap_alert(shared_file("cap/canada_errors.cap").read_bytes())  # an Update with <references/>
    assert update.value.field == "alert.references"
    with pytest.raises(InvalidCapAlert) as restricted:
        parse_cap_alert(alert_with(alert_extra="<scope>Restricted</scope><restriction/>"))
    assert restricted.value.field == "alert.restriction"
