"""The state of one SOP run: plain frozen values, copied on change, never shared mutably."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Mapping

from sop_engine.definition import SopDefinition
from sop_engine.vocabulary import Severity


class RunStatus(str, Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    """Every step is done."""
    INCOMPLETE = "incomplete"
    """Nothing more can happen, but some steps failed (no agency, all tasks rejected)."""


class StepStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"
    """Can never start, because a step it waits for failed."""


class RunTaskStatus(str, Enum):
    """A task as far as the SOP is concerned (the service tracks delivery separately)."""

    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    REJECTED = "rejected"

    @property
    def is_final(self) -> bool:
        return self in (RunTaskStatus.COMPLETED, RunTaskStatus.REJECTED)


@dataclass(frozen=True)
class IncidentFacts:
    """What the SOP may know of its incident (its conditions read these)."""

    incident_type: str
    severity: Severity


@dataclass(frozen=True)
class StepState:
    status: StepStatus = StepStatus.PENDING
    task_ids: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class TaskState:
    task_id: str
    step_id: str
    status: RunTaskStatus = RunTaskStatus.ASSIGNED
    next_rung: int = 0
    """Index of the escalation rung a further missed deadline goes to."""


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class SopRun:
    """A run of one pinned SOP version for one incident."""

    run_id: str
    definition: SopDefinition
    incident: IncidentFacts
    status: RunStatus = RunStatus.RUNNING
    steps: Mapping[str, StepState] = field(default_factory=_frozen)
    tasks: Mapping[str, TaskState] = field(default_factory=_frozen)
    timers: Mapping[str, datetime] = field(default_factory=_frozen)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    events_applied: int = 0

    @property
    def is_finished(self) -> bool:
        return self.status is not RunStatus.RUNNING

    def step_state(self, step_id: str) -> StepState:
        return self.steps.get(step_id, StepState())
