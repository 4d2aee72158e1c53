"""CAP 1.2 (OASIS Common Alerting Protocol): alerts in (safe parsing, schema and rule checks, a
configurable mapping to incidents) and public notices out (schema-valid alerts in a feed)."""

from coordination.cap.intake import CapReceipt, receive_cap_alert
from coordination.cap.mapping import CapMapping, IncidentDraft, NotAnIncident, default_mapping, load_mapping, map_alert
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

__all__ = [
    "CAP_NAMESPACE",
    "CapAlert",
    "CapAlertRefused",
    "CapMapping",
    "CapReceipt",
    "CapTrust",
    "IncidentDraft",
    "InvalidCapAlert",
    "NotAnIncident",
    "SignatureCheck",
    "SignatureOutcome",
    "cap_schema",
    "check_signature",
    "default_mapping",
    "load_cap_trust",
    "load_mapping",
    "map_alert",
    "parse_cap_alert",
    "parse_xml_safely",
    "receive_cap_alert",
]
