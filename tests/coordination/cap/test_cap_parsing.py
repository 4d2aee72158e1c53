"""CAP 1.2 in: every valid alert in the reference set is read; invalid ones are refused with a
reason; an XML external-entity attack is refused without reading anything."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from importlib import resources

import pytest
from lxml import etree

from coordination.cap import InvalidCapAlert, parse_cap_alert, parse_xml_safely
from tests.conftest import shared_file

VALID_CAP_1_2 = ["43b080713727.cap", "australia.cap", "canada.cap", "canada_signed.cap",
                 "earthquake-iso8859-1.cap", "thunderstorm.cap", "wcatwc-warning.cap"]
CAP_1_1 = ["KAR0-0306112239-SW.cap", "earthquake.cap", "earthquake_signed.cap", "no_optional_fields.cap",
           "noaa_errors.cap", "weather.cap"]


def cap(name: str) -> bytes:
    return shared_file(f"cap/{name}").read_bytes()


@pytest.mark.parametrize("name", VALID_CAP_1_2)
def test_every_valid_cap_1_2_alert_is_read(name):
    alert = parse_cap_alert(cap(name))
    assert alert.identifier and alert.sender and alert.sent
    assert alert.infos


def test_the_shipped_schema_is_the_oasis_schema_of_the_reference_data():
    def definitions(data: bytes) -> bytes:
        parser = etree.XMLParser(remove_comments=True, remove_blank_text=True, resolve_entities=False)
        return etree.tostring(etree.fromstring(data, parser), method="c14n")

    shipped = resources.files("coordination.cap").joinpath("cap12.xsd").read_bytes()
    assert definitions(shipped) == definitions(shared_file("cap/cap12.xsd").read_bytes())


def test_references_polygons_and_circles_are_read():
    canada = parse_cap_alert(cap("canada.cap"))
    assert canada.msg_type == "Update" and len(canada.references) == 2
    assert canada.references[0].sender == "cap@ec.gc.ca"
    assert canada.infos[0].areas[0].polygons[0][0] == (42.3481, -82.9314)  # latitude, longitude as CAP writes
    quake = parse_cap_alert(cap("earthquake-iso8859-1.cap"))  # declared ISO-8859-1: decoded as declared
    assert quake.infos[0].areas[0].circles[0].radius_km == 0.0


def test_an_alert_that_fails_the_schema_is_rejected_naming_the_missing_element():
    with pytest.raises(InvalidCapAlert) as caught:
        parse_cap_alert(cap("invalid.cap"))
    assert caught.value.field == "alert.scope"
    assert "line 9" in str(caught.value)


def test_an_alert_that_passes_the_schema_but_breaks_a_cap_rule_is_rejected():
    with pytest.raises(InvalidCapAlert) as caught:
        parse_cap_alert(cap("canada_errors.cap"))
    assert caught.value.field == "alert.references"
    assert "at least one" in str(caught.value)


@pytest.mark.parametrize("name", CAP_1_1)
def test_cap_1_1_alerts_are_refused_naming_the_namespace(name):
    with pytest.raises(InvalidCapAlert, match="CAP 1.2"):
        parse_cap_alert(cap(name))


class _Listener:
    """A loopback HTTP server that counts requests: an external entity must never reach it."""

    def __init__(self):
        self.hits = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                listener.hits += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"<!ENTITY leaked 'LEAKED'>")

            def log_message(self, *_args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


def test_the_xee_attack_is_refused():
    with pytest.raises(InvalidCapAlert, match="DOCTYPE"):
        parse_cap_alert(cap("xee.cap"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entities_are_never_read_or_fetched(tmp_path, encoding):
    """Even where the byte-level DOCTYPE check cannot see (UTF-16), the parser opens no file and
    makes no request: entities stay unresolved and the document is refused."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    listener = _Listener()
    try:
        document = (
            f'<?xml version="1.0" encoding="{encoding}"?>\n'
            f'<!DOCTYPE alert [<!ENTITY file SYSTEM "file://{secret}">'
            f'<!ENTITY % remote SYSTEM "http://127.0.0.1:{listener.port}/x.dtd"> %remote;]>\n'
            '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&file;</identifier></alert>'
        ).encode(encoding)
        with pytest.raises(InvalidCapAlert) as caught:
            parse_cap_alert(document)
        assert "TOP-SECRET-MARKER" not in str(caught.value)
        assert listener.hits == 0
    finally:
        listener.server.shutdown()
        listener.server.server_close()


def test_a_billion_laughs_is_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><alert>&lol2;</alert>'
    with pytest.raises(InvalidCapAlert):
        parse_xml_safely(laughs)
