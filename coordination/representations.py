"""The JSON shapes of the service's records, shared by the API and the webhook payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from coordination.store.tables import (
    Agency,
    DeliveryAttempt,
    DutyRequest,
    PublicNotice,
    Escalation,
    Incident,
    SopRunRecord,
    Task,
    TimelineEntry,
    WebhookMessage,
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def point(longitude: float, latitude: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [longitude, latitude]}


def incident_json(incident: Incident, *, include_reporter: bool) -> dict[str, Any]:
    """An incident; the reporter's name and phone only for those entitled to them."""
    body: dict[str, Any] = {
        "id": str(incident.id),
        "type": incident.incident_type,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "location": point(incident.longitude, incident.latitude),
        "place_name": incident.place_name,
        "description": incident.description,
        "is_exercise": incident.is_exercise,
        "declared_at": iso(incident.declared_at),
        "declared_by": incident.declared_by,
        "resolved_at": iso(incident.resolved_at),
        "closed_at": iso(incident.closed_at),
        "details": dict(incident.details or {}),
        "parent_incident_id": str(incident.parent_incident_id) if incident.parent_incident_id else None,
    }
    if include_reporter:
        body["reporter"] = {"name": incident.reporter_name, "phone": incident.reporter_phone}
    return body


def run_json(run: SopRunRecord) -> dict[str, Any]:
    """A run with each step's state, outcome and the deadlines that guard it."""
    state = run.state
    deadlines_by_step: dict[str, list[dict[str, Any]]] = {}
    task_steps = {task_id: task["step_id"] for task_id, task in state["tasks"].items()}
    for key, due in state["timers"].items():
        kind, _, name = key.partition(":")
        step_id = task_steps.get(name, name)
        deadlines_by_step.setdefault(step_id, []).append({"key": key, "kind": kind, "due_at": due})
    return {
        "id": str(run.id),
        "sop": {"id": run.sop_id, "version": run.sop_version},
        "status": run.status,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "steps": [
            {"id": step_id, "status": step["status"], "task_ids": step["task_ids"],
             "started_at": step["started_at"], "finished_at": step["finished_at"],
             "outcome": step.get("outcome"), "unit_ids": step.get("unit_ids", []),
             "deadlines": deadlines_by_step.get(step_id, [])}
            for step_id, step in state["steps"].items()
        ],
        "deadlines": [{"key": key, "due_at": due} for key, due in state["timers"].items()],
    }


def duty_request_json(request: DutyRequest) -> dict[str, Any]:
    return {
        "id": str(request.id),
        "incident_id": str(request.incident_id),
        "run_id": str(request.run_id),
        "step_id": request.step_id,
        "kind": request.kind.value,
        "text": request.text,
        "options": list(request.options),
        "status": request.status.value,
        "created_at": iso(request.created_at),
        "due_at": iso(request.due_at),
        "answer": request.answer,
        "answered_by": request.answered_by or None,
        "answered_at": iso(request.answered_at),
        "note": request.note,
    }


def public_notice_json(notice: PublicNotice) -> dict[str, Any]:
    return {
        "id": str(notice.id),
        "incident_id": str(notice.incident_id),
        "step_id": notice.step_id,
        "message": notice.message,
        "approved_by": notice.approved_by,
        "published_at": iso(notice.published_at),
    }


def agency_json(agency: Agency) -> dict[str, Any]:
    """An agency, without its webhook secret."""
    return {
        "id": str(agency.id),
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind.value,
        "webhook_url": agency.webhook_url,
        "is_active": agency.is_active,
        "has_jurisdiction": agency.jurisdiction is not None,
    }


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "incident_id": str(task.incident_id),
        "run_id": str(task.run_id) if task.run_id else None,
        "step_id": task.step_id,
        "agency": {"id": str(task.agency_id), "code": task.agency.code, "name": task.agency.name},
        "role": task.role.value,
        "instruction": task.instruction,
        "status": task.status.value,
        "created_at": iso(task.created_at),
        "ack_due_at": iso(task.ack_due_at),
        "complete_due_at": iso(task.complete_due_at),
        "delivered_at": iso(task.delivered_at),
        "acknowledged_at": iso(task.acknowledged_at),
        "completed_at": iso(task.completed_at),
        "rejected_at": iso(task.rejected_at),
        "rejection_reason": task.rejection_reason,
        "progress": {"note": task.progress_note, "percent": task.progress_percent},
        "completion_note": task.completion_note,
        "updated_at": iso(task.updated_at),
    }


def escalation_json(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": str(escalation.id),
        "incident_id": str(escalation.incident_id),
        "task_id": str(escalation.task_id) if escalation.task_id else None,
        "step_id": escalation.step_id,
        "rung": escalation.rung,
        "target": escalation.target.value,
        "reason": escalation.reason,
        "raised_at": iso(escalation.raised_at),
    }


def timeline_json(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": iso(entry.at),
        "kind": entry.kind,
        "actor": entry.actor,
        "summary": entry.summary,
        "incident_id": str(entry.incident_id) if entry.incident_id else None,
        "data": entry.data,
        "hash": entry.entry_hash,
    }


def delivery_json(message: WebhookMessage, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "webhook_id": message.id,
        "event_type": message.event_type,
        "status": message.status.value,
        "attempts": [
            {"attempt": attempt.attempt, "at": iso(attempt.attempted_at), "status_code": attempt.status_code,
             "latency_ms": round(attempt.latency_ms, 1), "error": attempt.error, "outcome": attempt.outcome}
            for attempt in attempts
        ],
        "next_attempt_at": iso(message.next_attempt_at) if message.status.value == "pending" else None,
        "delivered_at": iso(message.delivered_at),
    }
