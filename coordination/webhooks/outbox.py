"""Writing webhook messages into the outbox, inside the transaction of the change they report."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from coordination.representations import incident_json, iso, task_json
from coordination.store.tables import Agency, Task, WebhookMessage


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def enqueue(
    session: Session, *, agency: Agency, event_type: str, data: dict[str, Any], at: datetime,
    task: Task | None = None,
) -> WebhookMessage | None:
    """Queue a message for `agency`; None when the agency has no webhook endpoint (it polls)."""
    if not agency.webhook_url or not agency.is_active:
        return None
    message_id = new_message_id()
    body = json.dumps({"type": event_type, "timestamp": iso(at), "data": data}, separators=(",", ":"))
    message = WebhookMessage(
        id=message_id, agency_id=agency.id, task_id=task.id if task else None, task=task, event_type=event_type,
        body=body, created_at=at, next_attempt_at=at,
    )
    session.add(message)
    return message


def task_payload(task: Task) -> dict[str, Any]:
    """What an agency is told about its task: the task and the incident, without the reporter."""
    return {"task": task_json(task), "incident": incident_json(task.incident, include_reporter=False)}
