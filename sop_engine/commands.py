"""What a run asks the service to do. Commands are data; the service executes them.

Frozen msgspec Structs: fields, positional order, equality, hash and repr as a frozen
dataclass's, but constructed in C, a quarter of the time; a run of a 10-step SOP makes
about fifty of them, forty of them timer commands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Union

import msgspec

from sop_engine.run import RunStatus
from sop_engine.vocabulary import AgencyRole, EscalationTarget, Severity


class CreateTask(msgspec.Struct, frozen=True):
    """Route this step's task to the agency of `role` covering the incident, then report back
    with `TasksAssigned`."""

    step_id: str
    role: AgencyRole
    instruction: str
    ack_due_at: datetime
    complete_due_at: datetime


class StartTimer(msgspec.Struct, frozen=True):
    key: str
    due_at: datetime


class CancelTimer(msgspec.Struct, frozen=True):
    key: str


class DeadlineMissed(msgspec.Struct, frozen=True):
    step_id: str
    task_id: str | None
    deadline: str
    """`acknowledgement` or `completion` of a task; `decision`, `approval` or `confirmation`
    of a step (then `task_id` is None)."""
    due_at: datetime


class Escalate(msgspec.Struct, frozen=True):
    step_id: str
    task_id: str | None
    rung: int
    target: EscalationTarget
    reason: str


class CancelTask(msgspec.Struct, frozen=True):
    """Tell the task's agency to stop (the run was stood down or ended elsewhere)."""

    task_id: str
    reason: str


class AskDecision(msgspec.Struct, frozen=True):
    """Put a decision before the duty officer; answer with `DecisionTaken`."""

    step_id: str
    question: str
    options: tuple[str, ...]
    due_at: datetime


class SendNotice(msgspec.Struct, frozen=True):
    """Inform the agencies of these roles covering the incident (no answer expected)."""

    step_id: str
    roles: tuple[AgencyRole, ...]
    message: str


class RequestNoticeApproval(msgspec.Struct, frozen=True):
    """A public notice awaits the duty officer: `NoticeApproved` or `NoticeWithheld`."""

    step_id: str
    message: str
    due_at: datetime


class PublishNotice(msgspec.Struct, frozen=True):
    """Publish an approved public notice (the service issues it as a CAP alert)."""

    step_id: str
    message: str
    approved_by: str


class RequestDispatch(msgspec.Struct, frozen=True):
    """Find units for this step: answer with `DispatchConfirmed`, or route a task to each
    owning agency and answer with `TasksAssigned` (the fallback when no units are known)."""

    step_id: str
    units: tuple[tuple[str, int], ...]
    ack_due_at: datetime
    complete_due_at: datetime


class CommandDevices(msgspec.Struct, frozen=True):
    """Send `action` with `payload` to the devices named, or to those of `device_kind` within
    `within_m` metres of the incident; answer with `DevicesCommanded` (no command ids: no such
    device), then each device's `DeviceAnswered`."""

    step_id: str
    device_kind: str | None
    device_ids: tuple[str, ...]
    within_m: int | None
    action: str
    payload: dict
    due_at: datetime
    """When every device should have confirmed (the step's confirmation deadline)."""


class SpawnIncident(msgspec.Struct, frozen=True):
    """Declare a linked incident of another type, which starts its own SOP."""

    step_id: str
    incident_type: str
    severity: Severity


class FinishRun(msgspec.Struct, frozen=True):
    status: RunStatus
    failed_steps: tuple[str, ...] = ()
    outcome: str = ""
    """Why the run ended: an end step's outcome, or the stand-down reason."""


Command = Union[
    CreateTask,
    StartTimer,
    CancelTimer,
    DeadlineMissed,
    Escalate,
    CancelTask,
    AskDecision,
    SendNotice,
    RequestNoticeApproval,
    PublishNotice,
    RequestDispatch,
    CommandDevices,
    SpawnIncident,
    FinishRun,
]
