"""The state of one SOP run: plain frozen values, copied on change, never shared mutably."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping, TypeVar

from sop_engine.definition import SopDefinition
from sop_engine.vocabulary import Severity


class RunStatus(str, Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    """Every step is done."""
    INCOMPLETE = "incomplete"
    """Nothing more can happen, but some steps failed (no agency, all tasks rejected)."""
    STOOD_DOWN = "stood_down"
    """A duty officer stood the SOP down; open work was cancelled."""


class StepStatus(str, Enum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"
    FAILED = "failed"
    BLOCKED = "blocked"
    """Can never start, because a step it waits for failed."""
    SKIPPED = "skipped"
    """Not needed: its condition is false, or the branch it is on was not taken."""
    CANCELLED = "cancelled"
    """Open when the run was stood down or reached an end step."""

    @property
    def is_settled(self) -> bool:
        return self not in (StepStatus.PENDING, StepStatus.ACTIVE)


class RunTaskStatus(str, Enum):
    """A task as far as the SOP is concerned (the service tracks delivery separately)."""

    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (RunTaskStatus.COMPLETED, RunTaskStatus.REJECTED, RunTaskStatus.CANCELLED)


@dataclass(frozen=True)
class IncidentFacts:
    """What the SOP may know of its incident (its conditions read these).

    `details` holds the optional fields of `INCIDENT_DETAIL_FIELDS` that the report carried
    (casualties, people trapped, hazardous material...).
    """

    incident_type: str
    severity: Severity
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IncidentFacts):
            return NotImplemented
        return (self.incident_type, self.severity, dict(self.details)) == (
            other.incident_type, other.severity, dict(other.details),
        )

    def __hash__(self) -> int:
        return hash((self.incident_type, self.severity, tuple(sorted(self.details.items()))))

    def fields(self) -> dict[str, Any]:
        """The values `when:` conditions read, by field name."""
        return {"type": self.incident_type, "severity": self.severity, **self.details}


@dataclass(frozen=True)
class StepState:
    status: StepStatus = StepStatus.PENDING
    task_ids: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    """The option a decision chose; `approved`/`withheld` for a public notice; why a step was
    skipped, blocked, failed or cancelled."""
    unit_ids: tuple[str, ...] = ()
    """Units confirmed for a dispatch step."""
    next_rung: int = 0
    """Index of the escalation rung a further missed step deadline (decision, approval,
    dispatch confirmation) goes to."""


@dataclass(frozen=True)
class TaskState:
    task_id: str
    step_id: str
    status: RunTaskStatus = RunTaskStatus.ASSIGNED
    next_rung: int = 0
    """Index of the escalation rung a further missed deadline goes to."""


StateT = TypeVar("StateT")
_new = object.__new__


def evolve(state: StateT, **changes: Any) -> StateT:
    """Return a copy of a frozen state value with `changes` applied.

    Like `dataclasses.replace`, but without re-running `__init__`: the run's state classes
    (`StepState`, `TaskState`, `SopRun`) validate nothing on construction, and the runtime
    copies them dozens of times per event, where `replace` cost a third of its time.
    """
    copy = _new(type(state))
    fields = copy.__dict__
    fields.update(state.__dict__)
    fields.update(changes)
    return copy


# The runtime's most frequent moves: copies made field by field like `evolve`, without the
# keyword arguments to pack, which still cost a tenth of an event's time.

_ASSIGNED_TASK = TaskState(task_id="", step_id="")
"""A task just assigned: `new_task` copies it, so new tasks take the class's defaults."""


def step_activated(state: StepState, now: datetime) -> StepState:
    """The step, started at `now`."""
    new = _new(StepState)
    fields = new.__dict__
    fields.update(state.__dict__)
    fields["status"] = StepStatus.ACTIVE
    fields["started_at"] = now
    return new


def step_settled(state: StepState, status: StepStatus, now: datetime, outcome: str | None) -> StepState:
    """The step, settled at `now` (done, failed, skipped...) with its outcome or reason."""
    new = _new(StepState)
    fields = new.__dict__
    fields.update(state.__dict__)
    fields["status"] = status
    fields["finished_at"] = now
    fields["outcome"] = outcome
    return new


def new_task(task_id: str, step_id: str) -> TaskState:
    """A task just assigned to do step `step_id`."""
    new = _new(TaskState)
    fields = new.__dict__
    fields.update(_ASSIGNED_TASK.__dict__)
    fields["task_id"] = task_id
    fields["step_id"] = step_id
    return new


def task_moved(task: TaskState, status: RunTaskStatus) -> TaskState:
    """The task, now in `status`."""
    new = _new(TaskState)
    fields = new.__dict__
    fields.update(task.__dict__)
    fields["status"] = status
    return new


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
