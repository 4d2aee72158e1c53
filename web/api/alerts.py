"""CAP 1.2 alerts in: integrations (and duty officers) post them; the engine acts on them."""

from __future__ import annotations

from flask import Blueprint

from coordination import Role
from coordination.cap import RefusedCapAlert, default_mapping, load_mapping, receive_cap_message
from coordination.representations import iso
from coordination.queries.cap_alerts import cap_alerts_query
from web.api.listing import page_of
from web.api.query import page, takes_query
from web.app.context import api, principal, raw_body, services, session

blueprint = Blueprint("alerts", __name__)

CAP_TYPES = ("application/cap+xml", "application/xml", "text/xml")


def cap_record_json(record) -> dict:
    return {"id": str(record.id), "identifier": record.identifier, "sender": record.sender, "sent": record.sent,
            "status": record.status, "msg_type": record.msg_type, "event": record.event, "outcome": record.outcome,
            "incident_id": str(record.incident_id) if record.incident_id else None,
            "signature": record.signature, "detail": record.detail, "received_at": iso(record.received_at)}


@blueprint.post("/alerts/cap")
@api(Role.ALERT_SOURCE, Role.DUTY_OFFICER, Role.ADMINISTRATOR)
def receive_cap():
    """Receive a CAP 1.2 alert (XML): validated, recorded once, and turned into an incident if it maps.
    An alert from a sender the centre holds certificates for must be signed by one of them (else 422
    naming `signature`). Every refusal is kept on the timeline (`cap.refused`). An EDXL-DE envelope
    or an `<alerts>` collection is unwrapped and each alert received: the answer lists them and the
    refused ones with the reason naming where in the wrapper they were (422 if none was accepted)."""
    data = raw_body(mimetypes=CAP_TYPES, what="a CAP 1.2 alert")
    context = services()
    settings = context.settings
    mapping = load_mapping(settings.cap_mapping_path) if settings.cap_mapping_path else default_mapping()
    message = receive_cap_message(session=session(), clock=context.clock, data=data, mapping=mapping,
                                  actor=principal(), duplicates=settings.duplicates, trust=settings.cap_trust,
                                  places=settings.cap_places)
    if not message.wrapper:
        [receipt] = message.receipts
        body = {**cap_record_json(receipt.record), "detail": receipt.detail, "repeated": receipt.repeated}
        return body, 200 if receipt.repeated else 201
    if not message.receipts:
        first = message.refusals[0]
        raise RefusedCapAlert(f"no alert in the {message.wrapper} message was accepted; {first.reason}",
                              field=first.field)
    body = {"wrapper": message.wrapper,
            "alerts": [{**cap_record_json(receipt.record), "detail": receipt.detail, "repeated": receipt.repeated}
                       for receipt in message.receipts],
            "refused": [{"where": refusal.label, "sender": refusal.sender, "identifier": refusal.identifier,
                         "reason": refusal.reason, "field": refusal.field} for refusal in message.refusals]}
    return body, 200 if all(receipt.repeated for receipt in message.receipts) else 201


@blueprint.get("/alerts/cap")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(*page())
def list_cap():
    """CAP alerts received, newest first, with what the engine did with each."""
    return page_of(cap_alerts_query(), cap_record_json)
