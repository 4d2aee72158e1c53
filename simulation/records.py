"""What a replication leaves behind: plain records, every one marked as an exercise.

Times are seconds since the drill started. Incidents are numbered in the order the drill
declared them (`incident`), not by their database UUIDs, so two runs with the same seed give
records that compare equal.

Records are frozen msgspec Structs rather than dataclasses: a long drill builds hundreds of
thousands of them, and a frozen dataclass's generated `__init__` sets each field through
`object.__setattr__`, several times the cost of a Struct's. The record types hold only
strings and numbers, so they can never be part of a reference cycle: `gc=False` keeps them out
of the cyclic collector, which otherwise walks every record of a drill again at each full
collection.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec


class IncidentRecord(msgspec.Struct, frozen=True, gc=False):
    replication: int
    incident: int
    incident_type: str
    severity: str
    priority: int
    origin: str
    """generated, scripted, cascade (scenario), rule (a trigger rule on the drill's readings) or
    spawned (by an SOP step)."""
    declared_s: float
    lon: float
    lat: float
    sop: str
    first_on_scene_s: float | None
    response_s: float | None
    """Declaration to first unit on scene; None when no unit was sent or none arrived."""
    resolved_s: float | None
    status: str
    is_exercise: bool = True


class TaskRecord(msgspec.Struct, frozen=True, gc=False):
    replication: int
    incident: int
    step: str
    role: str
    agency: str
    created_s: float
    ack_due_s: float
    acknowledged_s: float | None
    complete_due_s: float
    completed_s: float | None
    status: str
    ack_in_time: bool
    complete_in_time: bool
    is_exercise: bool = True


class EscalationRecord(msgspec.Struct, frozen=True, gc=False):
    replication: int
    incident: int
    step: str
    rung: int
    target: str
    raised_s: float
    is_exercise: bool = True


class DispatchRecord(msgspec.Struct, frozen=True, gc=False):
    """One unit sent to one need of one incident."""

    replication: int
    incident: int
    unit: str
    unit_type: str
    need: str
    requested_s: float
    dispatched_s: float
    on_scene_s: float | None
    cleared_s: float | None
    is_exercise: bool = True


class UnservedRecord(msgspec.Struct, frozen=True, gc=False):
    """Units an incident asked for and never got before the drill ended."""

    replication: int
    incident: int
    need: str
    count: int
    requested_s: float
    is_exercise: bool = True


class UnitRecord(msgspec.Struct, frozen=True, gc=False):
    replication: int
    unit: str
    unit_type: str
    station: str
    busy_s: float
    """Time committed (dispatched, en route, on scene, driving back) within the drill."""
    is_exercise: bool = True


class CommandRecord(msgspec.Struct, frozen=True, gc=False):
    """One command an SOP step sent to one device, and the device's answer."""

    replication: int
    incident: int
    step: str
    device: str
    device_kind: str
    action: str
    sent_s: float
    due_s: float
    answered_s: float | None
    status: str
    """confirmed, failed, or sent (never answered before the drill ended)."""
    confirm_s: float | None
    """Sent to confirmed; None when the device failed or never answered."""
    confirmed_in_time: bool
    is_exercise: bool = True


class RuleFiringRecord(msgspec.Struct, frozen=True, gc=False):
    """One outcome of a trigger rule on the drill's readings, and what the drill made of it."""

    replication: int
    rule: str
    """The rule version, `drains-flood@v1`."""
    episode: str
    outcome: str
    """raised, severity_raised or cleared."""
    at_s: float
    severity: str
    """The severity raised to ("" when cleared)."""
    sensors: str
    """The sensors of the firing, comma-separated (a record holds only strings and numbers)."""
    result: str
    """declared (an incident), linked (to the open incident it duplicates), alerted, maintenance,
    severity_raised or cleared: the drill world declares or links, and the rest are recorded for the
    planner (it has no officer alerts, maintenance webhooks or revisions)."""
    incident: int | None
    """The incident it declared or was linked to."""
    is_exercise: bool = True


class DrillRecords(msgspec.Struct, frozen=True):
    """Everything one replication produced, and the horizon it ran for."""

    replication: int
    duration_s: float
    incidents: tuple[IncidentRecord, ...] = ()
    tasks: tuple[TaskRecord, ...] = ()
    escalations: tuple[EscalationRecord, ...] = ()
    dispatches: tuple[DispatchRecord, ...] = ()
    unserved: tuple[UnservedRecord, ...] = ()
    units: tuple[UnitRecord, ...] = ()
    commands: tuple[CommandRecord, ...] = ()
    rule_firings: tuple[RuleFiringRecord, ...] = ()
    counters: dict[str, int] = msgspec.field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("incidents", "tasks", "escalations", "dispatches", "unserved", "units",
                                         "commands", "rule_firings")

    def table(self, name: str) -> list[dict]:
        """One kind of record as dictionaries (for CSV and JSON)."""
        return [msgspec.structs.asdict(record) for record in getattr(self, name)]


def columns_of(name: str) -> list[str]:
    """Column names of one record table, in declaration order."""
    kinds = {"incidents": IncidentRecord, "tasks": TaskRecord, "escalations": EscalationRecord,
             "dispatches": DispatchRecord, "unserved": UnservedRecord, "units": UnitRecord,
             "commands": CommandRecord, "rule_firings": RuleFiringRecord}
    return list(kinds[name].__struct_fields__)
