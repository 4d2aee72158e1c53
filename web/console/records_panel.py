"""The data of the incident page's records beyond the SOP: each agency task's webhook delivery
log (every attempt, status code, dead letters), the duplicate reports and CAP alerts linked to the
incident, the incident it came from, and the SOPs that could be started by hand."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.lifecycles import IncidentStatus
from coordination.sop_starts import startable_sops
from coordination.store.tables import (
    CapAlertRecord,
    DeliveryAttempt,
    DuplicateReport,
    Incident,
    WebhookMessage,
)
from web.console.alerts import OUTCOMES as CAP_OUTCOMES


def records_context(db: Session, incident: Incident) -> dict:
    """Deliveries by task id (messages oldest first, each with its attempts), duplicate reports,
    the CAP alerts that acted on it (oldest first), the parent incident, and the SOPs that could be started by hand."""
    task_ids = [task.id for task in incident.tasks]
    messages = db.scalars(select(WebhookMessage).where(WebhookMessage.task_id.in_(task_ids))
                          .order_by(WebhookMessage.created_at, WebhookMessage.id)).unique().all() if task_ids else []
    attempts: dict[str, list[DeliveryAttempt]] = defaultdict(list)
    if messages:
        for attempt in db.scalars(select(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(
                [message.id for message in messages])).order_by(DeliveryAttempt.attempt)):
            attempts[attempt.message_id].append(attempt)
    deliveries: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for message in messages:
        deliveries[message.task_id].append({"message": message, "attempts": attempts[message.id]})
    running = {run.sop_id for run in incident.runs if run.status == "running"}
    return {
        "deliveries": deliveries,
        "duplicates": db.scalars(select(DuplicateReport).where(DuplicateReport.incident_id == incident.id)
                                 .order_by(DuplicateReport.reported_at, DuplicateReport.id)).all(),
        "cap_outcomes": CAP_OUTCOMES,
        "cap_alerts": db.scalars(select(CapAlertRecord).where(CapAlertRecord.incident_id == incident.id)
                                 .order_by(CapAlertRecord.received_at, CapAlertRecord.id)).all(),
        "parent": db.get(Incident, incident.parent_incident_id) if incident.parent_incident_id else None,
        "startable": [sop for sop in startable_sops(db, incident_type=incident.incident_type)
                      if sop.ref.sop_id not in running] if incident.status is IncidentStatus.OPEN else [],
    }
