"""What the drill engine needs of a coordination world, and what a world reports back.

Two worlds implement it: `ServicesWorld` (the production services over an in-memory SQLite
store, the default) and `RuntimeWorld` (the same SOP host over memory, with the production routing and no database,
for long and large drills). After every call a world returns the `Changes` it caused: new
incidents (spawned by SOP steps), tasks, requests to the duty officer, device commands and the next timer due time,
which the engine answers with SimPy events.

The values are msgspec Structs, not dataclasses: a drill makes several per simulated call, and
a frozen dataclass's `__init__` costs several times a Struct's.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Protocol

import msgspec

from coordination.rules import RuleRef
from sop_engine import AgencyRole, Severity


class NewIncident(msgspec.Struct, frozen=True):
    key: Hashable
    incident_type: str
    severity: Severity
    lon: float
    lat: float
    parent_key: Hashable | None
    spawned_by_step: str


class NewTask(msgspec.Struct, frozen=True):
    key: Hashable
    incident_key: Hashable
    step_id: str
    role: AgencyRole
    agency_code: str
    dispatch_needs: tuple[tuple[str, int], ...] | None
    """For a dispatch step's task: the units of this agency's kind it asks for."""


class NewRequest(msgspec.Struct, frozen=True):
    key: Hashable
    incident_key: Hashable
    step_id: str
    is_decision: bool
    options: tuple[str, ...]


class NewCommand(msgspec.Struct, frozen=True):
    """A command an SOP step sent to one device, awaiting the device's answer."""

    key: Hashable
    incident_key: Hashable
    step_id: str
    device_id: str
    device_kind: str


class Changes(msgspec.Struct):
    incidents: list[NewIncident] = msgspec.field(default_factory=list)
    tasks: list[NewTask] = msgspec.field(default_factory=list)
    requests: list[NewRequest] = msgspec.field(default_factory=list)
    commands: list[NewCommand] = msgspec.field(default_factory=list)
    next_due: datetime | None = None
    """When the earliest pending timer falls due (None: no timer pending). The engine keeps one
    wake-up scheduled no later than it, and each wake-up looks for the next: a deadline cancelled
    before it falls due (most of them) then costs no event at all."""


class IncidentRow(msgspec.Struct, frozen=True):
    key: Hashable
    sop: str
    status: str
    resolved_at: datetime | None
    is_exercise: bool


class TaskRow(msgspec.Struct, frozen=True):
    incident_key: Hashable
    step_id: str
    role: str
    agency_code: str
    created_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    complete_due_at: datetime
    completed_at: datetime | None
    status: str
    is_exercise: bool


class EscalationRow(msgspec.Struct, frozen=True):
    incident_key: Hashable
    step_id: str
    rung: int
    target: str
    raised_at: datetime


class CommandRow(msgspec.Struct, frozen=True):
    incident_key: Hashable
    step_id: str
    device_id: str
    device_kind: str
    action: str
    sent_at: datetime
    due_at: datetime
    answered_at: datetime | None
    status: str
    """sent (no answer yet), confirmed or failed."""
    is_exercise: bool


class World(Protocol):
    def declare(self, *, incident_type: str, severity: Severity, lon: float, lat: float,
                description: str) -> tuple[Hashable, Changes]:
        """Declare an exercise incident now; return its key and what followed."""
        ...

    def report(self, *, incident_type: str, severity: Severity, lon: float, lat: float, description: str,
               rule: RuleRef) -> tuple[Hashable, bool, Changes]:
        """What a trigger rule's declaration does live: declare an exercise incident now, or link the report to
        the open incident of its type it duplicates (`coordination.duplicates`); return the incident's key,
        whether the report was linked, and what followed."""
        ...

    def answer_task(self, key: Hashable, *, complete: bool, note: str = "") -> Changes | None:
        """Acknowledge (or complete) an open task; None when it is no longer open or already acknowledged."""
        ...

    def answer_request(self, key: Hashable, *, choice: str) -> Changes | None:
        """Answer an open decision or notice approval; None when it is no longer open."""
        ...

    def answer_command(self, key: Hashable, *, confirmed: bool, reason: str = "") -> Changes | None:
        """A device's answer to a command; None when the command was answered already."""
        ...

    def fire_due_timers(self) -> tuple[int, Changes]:
        ...

    def rows(self) -> tuple[list[IncidentRow], list[TaskRow], list[EscalationRow]]:
        """Everything to harvest at the end of the replication."""
        ...

    def command_rows(self) -> list[CommandRow]:
        """Every device command, to harvest at the end of the replication."""
        ...

    def close(self) -> None:
        ...
