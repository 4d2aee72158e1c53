"""The data of the incident page's devices: every command sent for the incident (by its SOP or a
duty officer), with what each device answered, and the kinds an officer may command."""

from __future__ import annotations

from coordination.queries.devices import incident_device_commands_query
from coordination.store import Session

STATUS_WORDS = {"queued": "waiting to be sent", "sent": "sent, awaiting confirmation", "confirmed": "confirmed",
                "failed": "failed", "overdue": "not confirmed in time"}
"""A command's status in words."""


def device_commands_context(db: Session, incident, *, device_kinds: frozenset[str]) -> dict:
    """The incident's device commands, newest first, and the device kinds for the officer's form."""
    commands = db.scalars(incident_device_commands_query(incident.id).limit(200)).unique().all()
    return {
        "device_commands": [
            {"device": command.device_id, "name": command.device.name, "kind": command.device.kind.replace("_", " "),
             "action": command.action.replace("_", " "), "payload": command.payload,
             "status": command.status.value, "status_words": STATUS_WORDS.get(command.status.value, command.status.value),
             "reason": command.reason, "by": command.step_id and f"SOP step {command.step_id.replace('_', ' ')}"
             or command.issued_by, "issued_at": command.issued_at, "due_at": command.due_at,
             "answered_at": command.answered_at}
            for command in commands],
        "device_kinds": sorted(device_kinds),
    }
