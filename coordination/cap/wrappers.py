"""CAP alerts as feeds wrap them: an EDXL-DE distribution envelope (OASIS EDXL-DE 1.0 and 2.0:
each `contentObject` carries an alert as embedded XML, or base64 in `nonXMLContent`) or an
`<alerts>` collection of several. Each alert is taken out as its own document, labelled by where it
was, so a refusal can name the wrapper ("EDXL-DE contentObject 2: ..."). Parsed with the same safe
parser as an alert."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from coordination.cap.parsing import InvalidCapAlert, parse_xml_safely

EDXL_DE_NAMESPACES = ("urn:oasis:names:tc:emergency:EDXL:DE:1.0", "urn:oasis:names:tc:emergency:EDXL:DE:2.0")
CAP_MIME_TYPES = ("application/cap+xml", "application/common-alerting-protocol+xml", "text/xml", "application/xml")


@dataclass(frozen=True)
class WrappedAlert:
    label: str
    """Where in the wrapper it was (`EDXL-DE contentObject 1`, `<alerts> item 2`); empty unwrapped."""
    data: bytes | None
    problem: str = ""
    """Why no alert could be taken out of this place (`data` is None)."""


def unwrap(data: bytes) -> tuple[str, tuple[WrappedAlert, ...]]:
    """(the wrapper's name, or "" for a bare alert; the alerts in it, in order).

    Raises:
        InvalidCapAlert: the message is unsafe, not XML, or a wrapper with nothing in it.
    """
    root = parse_xml_safely(data)
    name, namespace = etree.QName(root).localname, etree.QName(root).namespace
    if name == "EDXLDistribution" and namespace in EDXL_DE_NAMESPACES:
        objects = [child for child in root if etree.QName(child).localname == "contentObject"]
        if not objects:
            raise InvalidCapAlert("the EDXL-DE envelope has no contentObject", field="EDXLDistribution")
        return "EDXL-DE", tuple(_from_content_object(index, content) for index, content in enumerate(objects, 1))
    if name == "alerts":
        items = [child for child in root if isinstance(child.tag, str)]
        if not items:
            raise InvalidCapAlert("the <alerts> collection holds no alert", field="alerts")
        return "<alerts>", tuple(
            WrappedAlert(f"<alerts> item {index}", etree.tostring(item))
            if etree.QName(item).localname == "alert" else
            WrappedAlert(f"<alerts> item {index}", None, f"<{etree.QName(item).localname}> is not a CAP <alert>")
            for index, item in enumerate(items, 1))
    return "", (WrappedAlert("", data),)  # a bare alert, or something parse_cap_alert will name


def _from_content_object(index: int, content: etree._Element) -> WrappedAlert:
    label = f"EDXL-DE contentObject {index}"
    for element in content.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "embeddedXMLContent":
            alerts = [child for child in element if isinstance(child.tag, str)]
            if len(alerts) == 1 and etree.QName(alerts[0]).localname == "alert":
                return WrappedAlert(label, etree.tostring(alerts[0]))
            return WrappedAlert(label, None, "its embeddedXMLContent is not one CAP <alert>")
        if local == "nonXMLContent":
            mime = _child_text(element, "mimeType").lower()
            encoded = _child_text(element, "contentData")
            if mime not in CAP_MIME_TYPES:
                return WrappedAlert(label, None, f"its nonXMLContent is {mime or 'of no type'}, not a CAP alert")
            try:
                return WrappedAlert(label, base64.b64decode(encoded, validate=False))
            except (binascii.Error, ValueError):
                return WrappedAlert(label, None, "its nonXMLContent's contentData is not base64")
    return WrappedAlert(label, None, "it carries no CAP alert (no embeddedXMLContent or nonXMLContent)")


def _child_text(element: etree._Element, name: str) -> str:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""
