"""The integrity board as JSON: what could be stalling, for wall screens and integrations."""

from __future__ import annotations

from flask import Blueprint

from coordination import Role
from coordination.devices import command_json
from coordination.intake.queries import dead_letter_json
from coordination.integrity import integrity_report
from coordination.sensors import sensor_json
from coordination.representations import (
    duty_request_json,
    escalation_json,
    iso,
    task_json,
)
from web.app.context import api, services, session

blueprint = Blueprint("integrity", __name__)


@blueprint.get("/integrity")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
def read_integrity():
    """Missed deadlines, overdue decisions, open escalations, dead letters, stalled SOP runs, stale
    sensors, the readings the intake refused in the last day and the device commands unconfirmed
    past their deadline."""
    report = integrity_report(session=session(), now=services().clock.now())
    return {
        "is_clear": report.is_clear,
        "overdue_tasks": [task_json(task) for task in report.overdue_tasks],
        "overdue_decisions": [duty_request_json(request) for request in report.overdue_decisions],
        "open_escalations": [escalation_json(escalation) for escalation in report.open_escalations],
        "dead_letters": [
            {"webhook_id": message.id, "agency": message.agency.code, "event_type": message.event_type,
             "task_id": str(message.task_id) if message.task_id else None, "attempts": message.attempts,
             "last_error": message.last_error, "created_at": iso(message.created_at)}
            for message in report.dead_letters
        ],
        "stalled_runs": [
            {"run_id": str(record.id), "incident_id": str(record.incident_id),
             "sop": {"id": record.sop_id, "version": record.sop_version}, "last_event_at": iso(last)}
            for record, last in report.stalled_runs
        ],
        "stale_sensors": [sensor_json(sensor) for sensor in report.stale_sensors],
        "intake_dead_letters": [dead_letter_json(letter) for letter in report.intake_dead_letters],
        "intake_dead_letters_last_day": report.intake_dead_letters_total,
        "unconfirmed_commands": [command_json(command) for command in report.unconfirmed_commands],
    }
