"""Alerts for the duty officer: routing fallbacks, disabled endpoints, dead letters, CAP alerts
that need a person. Listed until acknowledged."""

from __future__ import annotations

import uuid

from flask import Blueprint

from coordination import Role
from coordination.officer_alerts import acknowledge_officer_alert
from coordination.queries.duty import officer_alerts_query
from coordination.representations import iso
from web.api.listing import page_of
from web.api.query import arg, boolean, page, takes_query
from web.api.tasks import AcknowledgeBody
from web.app.context import api, optional_json_body, principal, services, session

blueprint = Blueprint("officer_alerts", __name__)


def officer_alert_json(alert) -> dict:
    return {"id": str(alert.id), "kind": alert.kind, "summary": alert.summary,
            "incident_id": str(alert.incident_id) if alert.incident_id else None, "data": alert.data,
            "raised_at": iso(alert.raised_at), "acknowledged_at": iso(alert.acknowledged_at),
            "acknowledged_by": alert.acknowledged_by}


@blueprint.get("/officer-alerts")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(boolean("open", "true: hide acknowledged alerts", default=True), *page())
def list_officer_alerts():
    """Alerts for the duty officer, newest first; `open=true` (default) hides acknowledged ones."""
    return page_of(officer_alerts_query(open_only=arg("open")), officer_alert_json)


@blueprint.post("/officer-alerts/<uuid:alert_id>/acknowledge")
@api(Role.DUTY_OFFICER)
def acknowledge(alert_id: uuid.UUID):
    """Acknowledge an alert (repeating it changes nothing)."""
    optional_json_body(AcknowledgeBody)
    alert = acknowledge_officer_alert(session(), at=services().clock.now(), alert_id=alert_id,
                                      actor=principal().label)
    return officer_alert_json(alert)
