"""Commands to devices: issued into the outbox (rows, queued, in the caller's transaction), answered
by the device (once), and reported when the answer is overdue.

Nothing here talks to the broker: the publisher (`publisher`) takes queued rows after they
commit, so a command is published only if the event that issued it happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.errors import NotFound
from coordination.lifecycles import COMMAND_MOVES, UNANSWERED_COMMAND_STATUSES, DeviceCommandStatus, require_move
from coordination.store.tables import Device, DeviceCommand

OVERDUE_SHOWN_FOR = timedelta(days=1)
"""How long an unanswered command stays on the integrity board after its deadline: a shift and
the next, as the intake's dead letters; older ones are in the incident's timeline."""


def issue_commands(session: Session, *, at: datetime, devices: Sequence[Device], action: str,
                   payload: dict[str, Any], due_at: datetime, incident_id: uuid.UUID | None,
                   run_id: uuid.UUID | None, step_id: str | None, issued_by: str) -> list[DeviceCommand]:
    """Queue one command per device, with one timeline entry (`device.commanded`) for them all."""
    commands = []
    for device in devices:
        command = DeviceCommand(
            command_id=str(uuid.uuid4()), device_id=device.id, incident_id=incident_id, run_id=run_id,
            step_id=step_id, action=action, payload=dict(payload), status=DeviceCommandStatus.QUEUED,
            issued_by=issued_by, issued_at=at, due_at=due_at, reason="", publish_attempts=0)
        command.device = device
        session.add(command)
        commands.append(command)
    if not commands:
        return []
    step = f"step {step_id}: " if step_id else ""
    names = ", ".join(device.id for device in devices)
    audit.record(session, at=at, kind="device.commanded", actor=issued_by, incident_id=incident_id,
                 summary=f"{step}{action} sent to {len(commands)} device(s) ({names}), "
                 f"confirmation due by {due_at.isoformat()}",
                 data={"command_ids": [command.command_id for command in commands],
                       "device_ids": [device.id for device in devices], "action": action, "payload": payload,
                       "due_at": due_at.isoformat(), "run_id": str(run_id) if run_id else None, "step_id": step_id})
    return commands


def record_answer(session: Session, *, at: datetime, command_id: str, confirmed: bool, reason: str
                  ) -> DeviceCommand | None:
    """Record the device's answer to a command; return it, or None when it was answered already
    (a repeated or a second answer changes nothing). An answer after the deadline is recorded.

    Raises:
        NotFound: no command has this id.
    """
    # Locked and read afresh: a second consumer given the same answer waits here, then sees it answered.
    command = session.scalars(select(DeviceCommand).where(DeviceCommand.command_id == command_id)
                              .with_for_update(of=DeviceCommand)
                              .execution_options(populate_existing=True)).unique().one_or_none()
    if command is None:
        raise NotFound(f"no device command has the id {command_id!r}")
    if command.status.is_answered:
        return None
    status = DeviceCommandStatus.CONFIRMED if confirmed else DeviceCommandStatus.FAILED
    require_move(f"command {command.command_id}", command.status, status, COMMAND_MOVES)
    late = " (after its deadline)" if at > command.due_at else ""
    command.status, command.answered_at, command.reason = status, at, reason
    because = f": {reason}" if reason and not confirmed else ""
    audit.record(session, at=at, kind=f"device.{status.value}", actor=f"device:{command.device_id}",
                 incident_id=command.incident_id,
                 summary=f"{command.device_id} {'confirmed' if confirmed else 'failed'} {command.action}{late}{because}",
                 data={"command_id": command.command_id, "device_id": command.device_id, "reason": reason,
                       "step_id": command.step_id})
    return command


def mark_overdue(session: Session, *, now: datetime) -> list[DeviceCommand]:
    """Mark every command still queued or sent after its deadline overdue, each on the timeline."""
    overdue = list(session.scalars(select(DeviceCommand).where(
        DeviceCommand.status.in_((DeviceCommandStatus.QUEUED, DeviceCommandStatus.SENT)),
        DeviceCommand.due_at < now).order_by(DeviceCommand.due_at)).unique())
    for command in overdue:
        never_sent = command.status is DeviceCommandStatus.QUEUED
        require_move(f"command {command.command_id}", command.status, DeviceCommandStatus.OVERDUE, COMMAND_MOVES)
        command.status = DeviceCommandStatus.OVERDUE
        command.reason = (f"never published: the broker did not acknowledge it in {command.publish_attempts} "
                          "attempt(s) before its deadline" if never_sent else "sent, but not confirmed by its deadline")
        audit.record(session, at=now, kind="device.unconfirmed", actor="engine", incident_id=command.incident_id,
                     summary=f"{command.device_id} did not confirm {command.action} by {command.due_at.isoformat()}: "
                     f"{command.reason}",
                     data={"command_id": command.command_id, "device_id": command.device_id,
                           "step_id": command.step_id, "never_sent": never_sent})
    return overdue


def overdue_commands(session: Session, now: datetime) -> list[DeviceCommand]:
    """Commands past their deadline with no answer (of the last `OVERDUE_SHOWN_FOR`), longest overdue first."""
    return list(session.scalars(select(DeviceCommand).where(
        DeviceCommand.status.in_(UNANSWERED_COMMAND_STATUSES), DeviceCommand.due_at < now,
        DeviceCommand.due_at >= now - OVERDUE_SHOWN_FOR).order_by(DeviceCommand.due_at)).unique())


def command_json(command: DeviceCommand) -> dict[str, Any]:
    """A command as the API and the console give it."""
    return {
        "command_id": command.command_id, "device_id": command.device_id,
        "incident_id": str(command.incident_id) if command.incident_id else None,
        "run_id": str(command.run_id) if command.run_id else None, "step_id": command.step_id,
        "action": command.action, "payload": command.payload, "status": command.status.value,
        "issued_by": command.issued_by, "issued_at": command.issued_at.isoformat(),
        "due_at": command.due_at.isoformat(),
        "sent_at": command.sent_at.isoformat() if command.sent_at else None,
        "answered_at": command.answered_at.isoformat() if command.answered_at else None,
        "reason": command.reason,
    }
