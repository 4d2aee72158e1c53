"""CAP 1.2 (OASIS Common Alerting Protocol): alerts in (safe parsing, schema and rule checks, a
configurable mapping to incidents) and public notices out (schema-valid alerts in a feed)."""

from coordination.cap.geocodes import GeocodeTable, load_geocodes
from coordination.cap.intake import CapMessageReceipt, CapPlaces, CapReceipt, receive_cap_alert, receive_cap_message
from coordination.cap.mapping import (
    CapMapping,
    IncidentDraft,
    NotAnIncident,
    OutsideTerritory,
    default_mapping,
    load_mapping,
    map_alert,
)
from coordination.cap.model import CAP_NAMESPACE, CapAlert
from coordination.cap.parsing import InvalidCapAlert, cap_schema, parse_cap_alert, parse_xml_safely
from coordination.cap.signatures import (
    CapAlertRefused,
    CapTrust,
    SignatureCheck,
    SignatureOutcome,
    check_signature,
    load_cap_trust,
)
from coordination.cap.refusals import Refusal, RefusedCapAlert
from coordination.cap.territory import load_territory

__all__ = [
    "CAP_NAMESPACE",
    "CapAlert",
    "CapAlertRefused",
    "CapMapping",
    "CapMessageReceipt",
    "CapPlaces",
    "CapReceipt",
    "CapTrust",
    "GeocodeTable",
    "IncidentDraft",
    "InvalidCapAlert",
    "NotAnIncident",
    "OutsideTerritory",
    "Refusal",
    "RefusedCapAlert",
    "SignatureCheck",
    "SignatureOutcome",
    "cap_schema",
    "check_signature",
    "default_mapping",
    "load_cap_trust",
    "load_geocodes",
    "load_mapping",
    "load_territory",
    "map_alert",
    "parse_cap_alert",
    "parse_xml_safely",
    "receive_cap_alert",
    "receive_cap_message",
]
