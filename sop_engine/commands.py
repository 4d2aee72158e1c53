"""What a run asks the service to do. Commands are data; the service executes them.

The commands every task brings (create it, start and cancel its deadlines) define their own
`__init__`, which writes the fields straight into the instance: a frozen dataclass's generated
one sets each through `object.__setattr__`, which made constructing them a tenth of the
runtime's time. Everything else about them (fields, equality, hash, repr) is the dataclass's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Union

from sop_engine.run import RunStatus
from sop_engine.vocabulary import AgencyRole, EscalationTarget, Severity


@dataclass(frozen=True)
class CreateTask:
    """Route this step's task to the agency of `role` covering the incident, then report back
    with `TasksAssigned`."""

    step_id: str
    role: AgencyRole
    instruction: str
    ack_due_at: datetime
    complete_due_at: datetime

    def __init__(self, step_id: str, role: AgencyRole, instruction: str, ack_due_at: datetime,
                 complete_due_at: datetime) -> None:
        fields = self.__dict__
        fields["step_id"] = step_id
        fields["role"] = role
        fields["instruction"] = instruction
        fields["ack_due_at"] = ack_due_at
        fields["complete_due_at"] = complete_due_at


@dataclass(frozen=True)
class StartTimer:
    key: str
    due_at: datetime

    def __init__(self, key: str, due_at: datetime) -> None:
        fields = self.__dict__
        fields["key"] = key
        fields["due_at"] = due_at


@dataclass(frozen=True)
class CancelTimer:
    key: str

    def __init__(self, key: str) -> None:
        self.__dict__["key"] = key


@dataclass(frozen=True)
class DeadlineMissed:
    step_id: str
    task_id: str | None
    deadline: str
    """`acknowledgement` or `completion` of a task; `decision`, `approval` or `confirmation`
    of a step (then `task_id` is None)."""
    due_at: datetime


@dataclass(frozen=True)
class Escalate:
    step_id: str
    task_id: str | None
    rung: int
    target: EscalationTarget
    reason: str


@dataclass(frozen=True)
class CancelTask:
    """Tell the task's agency to stop (the run was stood down or ended elsewhere)."""

    task_id: str
    reason: str


@dataclass(frozen=True)
class AskDecision:
    """Put a decision before the duty officer; answer with `DecisionTaken`."""

    step_id: str
    question: str
    options: tuple[str, ...]
    due_at: datetime


@dataclass(frozen=True)
class SendNotice:
    """Inform the agencies of these roles covering the incident (no answer expected)."""

    step_id: str
    roles: tuple[AgencyRole, ...]
    message: str


@dataclass(frozen=True)
class RequestNoticeApproval:
    """A public notice awaits the duty officer: `NoticeApproved` or `NoticeWithheld`."""

    step_id: str
    message: str
    due_at: datetime


@dataclass(frozen=True)
class PublishNotice:
    """Publish an approved public notice (the service issues it as a CAP alert)."""

    step_id: str
    message: str
    approved_by: str


@dataclass(frozen=True)
class RequestDispatch:
    """Find units for this step: answer with `DispatchConfirmed`, or route a task to each
    owning agency and answer with `TasksAssigned` (the fallback when no units are known)."""

    step_id: str
    units: tuple[tuple[str, int], ...]
    ack_due_at: datetime
    complete_due_at: datetime


@dataclass(frozen=True)
class SpawnIncident:
    """Declare a linked incident of another type, which starts its own SOP."""

    step_id: str
    incident_type: str
    severity: Severity


@dataclass(frozen=True)
class FinishRun:
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
    SpawnIncident,
    FinishRun,
]
