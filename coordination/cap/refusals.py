"""Refused CAP alerts on record: every refusal (not well-formed, the schema, a CAP rule, the
signature, a wrapper with no alert in it) is a `cap.refused` timeline entry with the sender and
identifier the alert claims, who relayed it and why, never its text; the console lists them. The
duty officer hears of a source that keeps failing once an hour, not once an alert: a national feed
that breaks sends hundreds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.cap.parsing import InvalidCapAlert, parse_xml_safely
from coordination.clock import Clock
from coordination.errors import RecordedRefusal
from coordination.officer_alerts import raise_officer_alert
from coordination.principals import Principal
from coordination.store.tables import OfficerAlert

OFFICER_ALERT_EVERY = timedelta(hours=1)
"""At most one officer alert per source in this time; every refusal is still on the timeline."""

_CLAIMS = ("sender", "identifier", "sent", "status", "msgType")


class RefusedCapAlert(InvalidCapAlert, RecordedRefusal):
    """A CAP alert refused, whose refusal is already on record in the caller's transaction."""


@dataclass(frozen=True)
class Refusal:
    label: str
    sender: str
    identifier: str
    reason: str
    field: str


def claims_of(data: bytes | None) -> dict[str, str]:
    """What the alert says of itself (sender, identifier, sent, status, msgType), as far as it can be
    read: any CAP version's namespace, empty where unreadable."""
    claims = dict.fromkeys(_CLAIMS, "")
    if data is None:
        return claims
    try:
        root = parse_xml_safely(data)
    except InvalidCapAlert:
        return claims
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname in claims:
            claims[etree.QName(child).localname] = (child.text or "").strip()[:200]
    return claims


def record_refusal(session: Session, *, clock: Clock, actor: Principal, data: bytes | None, error: InvalidCapAlert,
                   label: str = "") -> Refusal:
    """Put the refusal on the timeline and, unless this source was raised within the hour, raise it
    to the duty officer. The source is who relayed it and the sender it claims."""
    claims = claims_of(data)
    reason = f"{label}: {error}" if label else str(error)
    sender = claims["sender"] or "an unreadable sender"
    source = f"{sender} via {actor.label}"
    record = {"sender": claims["sender"], "identifier": claims["identifier"], "sent": claims["sent"],
              "status": claims["status"], "msg_type": claims["msgType"], "reason": reason,
              "field": getattr(error, "field", ""), "source": source}
    identifier = claims["identifier"] or "(no identifier)"
    summary = f"CAP alert {identifier} claiming to be from {sender} refused: {reason}"
    now = clock.now()
    audit.record(session, at=now, kind="cap.refused", actor=actor.label, summary=summary, data=record)
    raised = session.scalar(select(OfficerAlert.id).where(
        OfficerAlert.kind == "cap.refused", OfficerAlert.raised_at > now - OFFICER_ALERT_EVERY,
        OfficerAlert.data["source"].as_string() == source).limit(1))
    if raised is None:
        raise_officer_alert(session, at=now, kind="cap.refused", data=record,
                            summary=f"{summary} (further refusals from {source} within the hour are listed with "
                            "the refused alerts, not raised again)")
    return Refusal(label, claims["sender"], claims["identifier"], reason, record["field"])
