"""What a run asks the service to do. Commands are data; the service executes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Union

from sop_engine.run import RunStatus
from sop_engine.vocabulary import AgencyRole, EscalationTarget


@dataclass(frozen=True)
class CreateTask:
    """Route this step's task to the agency of `role` covering the incident, then report back
    with `TasksAssigned`."""

    step_id: str
    role: AgencyRole
    instruction: str
    ack_due_at: datetime
    complete_due_at: datetime


@dataclass(frozen=True)
class StartTimer:
    key: str
    due_at: datetime


@dataclass(frozen=True)
class CancelTimer:
    key: str


@dataclass(frozen=True)
class DeadlineMissed:
    step_id: str
    task_id: str
    deadline: str
    """`acknowledgement` or `completion`."""
    due_at: datetime


@dataclass(frozen=True)
class Escalate:
    step_id: str
    task_id: str | None
    rung: int
    target: EscalationTarget
    reason: str


@dataclass(frozen=True)
class FinishRun:
    status: RunStatus
    failed_steps: tuple[str, ...] = ()


Command = Union[CreateTask, StartTimer, CancelTimer, DeadlineMissed, Escalate, FinishRun]
