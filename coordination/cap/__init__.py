"""CAP 1.2 (OASIS Common Alerting Protocol): alerts in (safe parsing, schema and rule checks, a
configurable mapping to incidents) and public notices out (schema-valid alerts in a feed)."""

from coordination.cap.intake import CapReceipt, receive_cap_alert
from coordination.cap.mapping import CapMapping, IncidentDraft, NotAnIncident, default_mapping, load_mapping, map_alert
from coordination.cap.model import CAP_NAMESPACE, CapAlert
from coordination.cap.parsing import InvalidCapAlert, cap_schema, parse_cap_alert, parse_xml_safely

__all__ = [
    "CAP_NAMESPACE",
    "CapAlert",
    "CapMapping",
    "CapReceipt",
    "IncidentDraft",
    "InvalidCapAlert",
    "NotAnIncident",
    "cap_schema",
    "default_mapping",
    "load_mapping",
    "map_alert",
    "parse_cap_alert",
    "parse_xml_safely",
    "receive_cap_alert",
]
