"""What can happen to a run. The service turns the world into these and feeds them to `advance`.

Frozen msgspec Structs, as commands are: fields, positional order, equality, hash and repr
as a frozen dataclass's, constructed in C (a third of the time of a dataclass's generated
`__init__`, which sets each field through `object.__setattr__`).
"""

from __future__ import annotations

from typing import Union

import msgspec

from sop_engine.run import IncidentFacts


class RunStarted(msgspec.Struct, frozen=True):
    incident: IncidentFacts


class TasksAssigned(msgspec.Struct, frozen=True):
    """The service routed a step's task to these task ids (empty: no agency could take it)."""

    step_id: str
    task_ids: tuple[str, ...]


class TaskAcknowledged(msgspec.Struct, frozen=True):
    task_id: str


class TaskCompleted(msgspec.Struct, frozen=True):
    task_id: str


class TaskRejected(msgspec.Struct, frozen=True):
    task_id: str
    reason: str


class TimerFired(msgspec.Struct, frozen=True):
    key: str


class DecisionTaken(msgspec.Struct, frozen=True):
    step_id: str
    option: str
    by: str
    """Who decided (a principal's name), for the record."""


class NoticeApproved(msgspec.Struct, frozen=True):
    step_id: str
    by: str


class NoticeWithheld(msgspec.Struct, frozen=True):
    """The duty officer decided a public notice must not go out."""

    step_id: str
    by: str
    reason: str


class DispatchConfirmed(msgspec.Struct, frozen=True):
    """Units were dispatched for a dispatch step (a duty officer accepted a recommendation)."""

    step_id: str
    unit_ids: tuple[str, ...]


class DevicesCommanded(msgspec.Struct, frozen=True):
    """The service sent a command step's commands, one per device (none: no device matched)."""

    step_id: str
    command_ids: tuple[str, ...]


class DeviceAnswered(msgspec.Struct, frozen=True):
    """A device confirmed a command (`confirmed`) or reported that it could not carry it out."""

    command_id: str
    confirmed: bool
    reason: str = ""


class IncidentRevised(msgspec.Struct, frozen=True):
    """What is known of the incident changed (a duty officer raised its severity, say).

    The revised facts replace the run's: a step examined from now on reads them in its `when:`
    condition. Steps already started, skipped or blocked stand; a revision never undoes what was
    decided on what was known at the time.
    """

    incident: IncidentFacts


class StoodDown(msgspec.Struct, frozen=True):
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
    DevicesCommanded,
    DeviceAnswered,
    IncidentRevised,
    StoodDown,
]
