"""Writing a public notice as a CAP 1.2 alert (pure: the time and identifier are given)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from lxml import etree

from coordination.cap.model import CAP_NAMESPACE


def cap_datetime(moment: datetime) -> str:
    """CAP's date-time form: seconds, and an explicit offset (`+00:00`, never `Z`)."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text:
        etree.SubElement(parent, f"{{{CAP_NAMESPACE}}}{name}").text = text


def notice_to_cap(*, content: dict[str, Any], identifier: str, sender: str, sent: datetime,
                  sender_name: str) -> bytes:
    """Return the CAP 1.2 XML of an approved notice (`content` as `NoticeDraft` stores it)."""
    alert = etree.Element(f"{{{CAP_NAMESPACE}}}alert", nsmap={None: CAP_NAMESPACE})
    for name, text in (("identifier", identifier), ("sender", sender), ("sent", cap_datetime(sent)),
                       ("status", "Actual"), ("msgType", "Alert"), ("scope", "Public")):
        _add(alert, name, text)
    info = etree.SubElement(alert, f"{{{CAP_NAMESPACE}}}info")
    _add(info, "language", content["language"])
    for category in content["categories"]:
        _add(info, "category", category)
    _add(info, "event", content["event"])
    for response_type in content.get("response_types", []):
        _add(info, "responseType", response_type)
    for name in ("urgency", "severity", "certainty"):
        _add(info, name, content[name])
    if content.get("expires_at"):
        _add(info, "expires", cap_datetime(datetime.fromisoformat(content["expires_at"])))
    _add(info, "senderName", sender_name)
    for name in ("headline", "description", "instruction"):
        _add(info, name, content.get(name))
    area = content["area"]
    area_element = etree.SubElement(info, f"{{{CAP_NAMESPACE}}}area")
    _add(area_element, "areaDesc", area["description"])
    if area.get("polygon"):
        ring = area["polygon"]["coordinates"][0]
        _add(area_element, "polygon", " ".join(f"{latitude},{longitude}" for longitude, latitude in ring))
    if area.get("circle"):
        longitude, latitude = area["circle"]["center"]
        _add(area_element, "circle", f"{latitude},{longitude} {area['circle']['radius_km']}")
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


CATEGORY_OF_TYPE = {
    "flood": "Met", "waterlogging": "Met", "cyclone_warning": "Met", "heavy_rain_warning": "Met", "heat_wave": "Met",
    "earthquake": "Geo", "building_fire": "Fire", "building_collapse": "Rescue", "gas_leak": "Safety",
    "power_outage": "Infra", "water_main_burst": "Infra", "water_contamination": "Health",
    "road_accident": "Transport", "traffic_signal_failure": "Transport", "gridlock": "Transport",
    "crowd_surge": "Safety", "disease_outbreak": "Health", "chemical_accident": "CBRNE", "tree_fall": "Safety",
}
CAP_SEVERITY = {"minor": "Minor", "moderate": "Moderate", "severe": "Severe", "extreme": "Extreme"}
SOP_NOTICE_RADIUS_KM = 2.0  # a neighbourhood around the incident, never its exact address


def sop_notice_content(*, message: str, incident_type: str, severity: str, longitude: float, latitude: float
                       ) -> dict[str, Any]:
    """The CAP content of a notice an SOP step published (approved by a duty officer): the
    incident's type and severity, and a circle around its (grid-snapped) place."""
    event = incident_type.replace("_", " ").capitalize()
    return {
        "language": "en-IN", "categories": [CATEGORY_OF_TYPE.get(incident_type, "Other")], "event": event,
        "response_types": [], "urgency": "Immediate", "severity": CAP_SEVERITY.get(severity, "Unknown"),
        "certainty": "Observed", "headline": message[:160], "description": message, "instruction": "",
        "expires_at": None,
        "area": {"description": f"{event}: area around the incident",
                 "circle": {"center": [longitude, latitude], "radius_km": SOP_NOTICE_RADIUS_KM}},
    }
