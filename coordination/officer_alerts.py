"""Alerts for the duty officer: what the engine could not settle alone and a person must look at.

Each alert is a row the console and the API list (until acknowledged) and an entry on the timeline.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from coordination import audit
from coordination.errors import NotFound
from coordination.store.tables import OfficerAlert


def raise_officer_alert(
    session: Session, *, at: datetime, kind: str, summary: str, incident_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> OfficerAlert:
    """Record an alert for the duty officer, in the caller's transaction."""
    alert = OfficerAlert(kind=kind, summary=summary, incident_id=incident_id, data=data or {}, raised_at=at)
    session.add(alert)
    audit.record(session, at=at, kind=f"officer_alert.{kind}", actor="engine", summary=summary,
                 incident_id=incident_id, data=data or {})
    return alert


def acknowledge_officer_alert(session: Session, *, at: datetime, alert_id: uuid.UUID, actor: str) -> OfficerAlert:
    """Mark the alert seen by `actor`; acknowledging it again changes nothing.

    Raises:
        NotFound: no such alert.
    """
    alert = session.get(OfficerAlert, alert_id)
    if alert is None:
        raise NotFound(f"officer alert {alert_id} does not exist")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = at, actor
    return alert
