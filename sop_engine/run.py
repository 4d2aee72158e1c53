"""The state of one SOP run: plain frozen values, copied on change, never shared mutably."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping

import msgspec

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


class StepState(msgspec.Struct, frozen=True):
    """A step of a run. Like every state value the runtime copies on each event, a frozen
    msgspec Struct: copying one with a change (`evolve`) costs a seventh of a dataclass's."""

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
    dispatch or device confirmation) goes to."""
    command_ids: tuple[str, ...] = ()
    """The device commands a command step sent, one per device."""
    confirmed_ids: tuple[str, ...] = ()
    """Those of `command_ids` the device confirmed."""
    failed_ids: tuple[str, ...] = ()
    """Those of `command_ids` the device could not carry out."""


class TaskState(msgspec.Struct, frozen=True):
    task_id: str
    step_id: str
    status: RunTaskStatus = RunTaskStatus.ASSIGNED
    next_rung: int = 0
    """Index of the escalation rung a further missed deadline goes to."""


evolve = msgspec.structs.replace
"""Return a copy of a run or of one of its states with the given fields changed."""


class SopRun(msgspec.Struct, frozen=True):
    """A run of one pinned SOP version for one incident.

    A frozen msgspec Struct, as its states are: `advance` makes a new one on every event. Its
    tables (`steps`, `tasks`, `timers`) are read through read-only views; the dicts behind them
    are the runtime's own, never written once a run is returned, so the next event copies them
    as plain dicts (a copy through a view, and a view per table per event, cost a quarter of
    an event).
    """

    run_id: str
    definition: SopDefinition
    incident: IncidentFacts
    status: RunStatus = RunStatus.RUNNING
    step_table: dict[str, StepState] = msgspec.field(default_factory=dict)
    task_table: dict[str, TaskState] = msgspec.field(default_factory=dict)
    timer_table: dict[str, datetime] = msgspec.field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    events_applied: int = 0

    @property
    def steps(self) -> Mapping[str, StepState]:
        """Each step's state, by step id, in the order the steps are written."""
        return MappingProxyType(self.step_table)

    @property
    def tasks(self) -> Mapping[str, TaskState]:
        """Each task's state as the SOP sees it, by task id."""
        return MappingProxyType(self.task_table)

    @property
    def timers(self) -> Mapping[str, datetime]:
        """When each pending timer falls due, by timer key."""
        return MappingProxyType(self.timer_table)

    @property
    def is_finished(self) -> bool:
        return self.status is not RunStatus.RUNNING

    def step_state(self, step_id: str) -> StepState:
        return self.step_table.get(step_id, StepState())
