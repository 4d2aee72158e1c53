"""What can happen to a run. The service turns the world into these and feeds them to `advance`."""

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


@dataclass(frozen=True)
class TaskAcknowledged:
    task_id: str


@dataclass(frozen=True)
class TaskCompleted:
    task_id: str


@dataclass(frozen=True)
class TaskRejected:
    task_id: str
    reason: str


@dataclass(frozen=True)
class TimerFired:
    key: str


Event = Union[RunStarted, TasksAssigned, TaskAcknowledged, TaskCompleted, TaskRejected, TimerFired]
