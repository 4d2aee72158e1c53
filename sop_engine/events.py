"""What can happen to a run. The service turns the world into these and feeds them to `advance`.

The events every task brings (assigned, acknowledged, completed) and timer ticks define their
own `__init__`, writing the fields straight into the instance rather than through
`object.__setattr__` one by one, as a frozen dataclass's generated one does; everything else
about them is the dataclass's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from sop_engine.run import IncidentFacts


@dataclass(frozen=True)
class RunStarted:
    incident: IncidentFacts


@dataclass(frozen=True)
class TasksAssigned:
    """The service routed a step's task to these task ids (empty: no agency could take it)."""

    step_id: str
    task_ids: tuple[str, ...]

    def __init__(self, step_id: str, task_ids: tuple[str, ...]) -> None:
        fields = self.__dict__
        fields["step_id"] = step_id
        fields["task_ids"] = task_ids


@dataclass(frozen=True)
class TaskAcknowledged:
    task_id: str

    def __init__(self, task_id: str) -> None:
        self.__dict__["task_id"] = task_id


@dataclass(frozen=True)
class TaskCompleted:
    task_id: str

    def __init__(self, task_id: str) -> None:
        self.__dict__["task_id"] = task_id


@dataclass(frozen=True)
class TaskRejected:
    task_id: str
    reason: str


@dataclass(frozen=True)
class TimerFired:
    key: str

    def __init__(self, key: str) -> None:
        self.__dict__["key"] = key


@dataclass(frozen=True)
class DecisionTaken:
    step_id: str
    option: str
    by: str
    """Who decided (a principal's name), for the record."""


@dataclass(frozen=True)
class NoticeApproved:
    step_id: str
    by: str


@dataclass(frozen=True)
class NoticeWithheld:
    """The duty officer decided a public notice must not go out."""

    step_id: str
    by: str
    reason: str


@dataclass(frozen=True)
class DispatchConfirmed:
    """Units were dispatched for a dispatch step (a duty officer accepted a recommendation)."""

    step_id: str
    unit_ids: tuple[str, ...]


@dataclass(frozen=True)
class StoodDown:
    """A duty officer stood the SOP down: open work is cancelled and the run ends."""

    reason: str
    by: str


Event = Union[
    RunStarted,
    TasksAssigned,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TimerFired,
    DecisionTaken,
    NoticeApproved,
    NoticeWithheld,
    DispatchConfirmed,
    StoodDown,
]
