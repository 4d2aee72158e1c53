"""The facts of a period of live work, read from tasks, escalations and dispatch records.

A period covers the incidents *declared* in it, with everything that happened to them (a task
acknowledged the morning after still counts for the night it belongs to). Exercise incidents
(drills, CAP `Exercise` alerts) are never live work and are left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import InvalidInput
from coordination.lifecycles import TaskStatus
from coordination.performance import EscalationFact, KpiRow, ResponseFact, TaskFact, performance_table
from coordination.store.tables import (
    Agency,
    DispatchAssignment,
    Escalation,
    Incident,
    ResponseUnit,
    Task,
    TimelineEntry,
)

MAX_PERIOD = timedelta(days=366)
"""A year at most: longer asks are nearly always a typo, and cost a long scan."""

_ENDED = (TaskStatus.REJECTED, TaskStatus.CANCELLED)


@dataclass(frozen=True)
class Period:
    """From `start` (included) to `end` (excluded)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("the period must end after it starts", field="to")
        if self.end - self.start > MAX_PERIOD:
            raise InvalidInput(f"a period is at most {MAX_PERIOD.days} days", field="from")

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


def live_performance(*, session: Session, period: Period, now: datetime) -> list[KpiRow]:
    """The KPI table of the live (not exercise) incidents declared in `period`."""
    in_period = (Incident.declared_at >= period.start, Incident.declared_at < period.end,
                 Incident.is_exercise.is_(False))
    return performance_table(tasks=_tasks(session, in_period), escalations=_escalations(session, in_period),
                             responses=_responses(session, in_period), now=now)


def _tasks(session: Session, in_period) -> list[TaskFact]:
    rows = session.execute(
        select(Agency.code, Incident.incident_type, Task.created_at, Task.ack_due_at, Task.acknowledged_at,
               Task.complete_due_at, Task.completed_at, Task.status, Task.updated_at)
        .join(Incident, Task.incident_id == Incident.id).join(Agency, Task.agency_id == Agency.id)
        .where(*in_period)
    ).all()
    return [TaskFact(agency=code, incident_type=kind, created_at=created, ack_due_at=ack_due,
                     acknowledged_at=acknowledged, complete_due_at=complete_due, completed_at=completed,
                     ended_at=updated if status in _ENDED else None)
            for code, kind, created, ack_due, acknowledged, complete_due, completed, status, updated in rows]


def _escalations(session: Session, in_period) -> list[EscalationFact]:
    rows = session.execute(
        select(Incident.incident_type, Agency.code)
        .select_from(Escalation).join(Incident, Escalation.incident_id == Incident.id)
        .outerjoin(Task, Escalation.task_id == Task.id).outerjoin(Agency, Task.agency_id == Agency.id)
        .where(*in_period)
    ).all()
    return [EscalationFact(incident_type=kind, agency=code) for kind, code in rows]


def _responses(session: Session, in_period) -> list[ResponseFact]:
    """Per incident and agency: the first unit dispatched (an accepted recommendation) and the
    first on scene (the unit's own status report, kept on the timeline)."""
    incidents: dict = {}
    dispatched: dict = {}
    for incident_id, kind, declared, code, at in session.execute(
        select(Incident.id, Incident.incident_type, Incident.declared_at, Agency.code,
               DispatchAssignment.dispatched_at)
        .select_from(DispatchAssignment).join(Incident, DispatchAssignment.incident_id == Incident.id)
        .join(ResponseUnit, DispatchAssignment.unit_id == ResponseUnit.id)
        .join(Agency, ResponseUnit.agency_id == Agency.id).where(*in_period)
    ):
        incidents[incident_id] = (kind, declared)
        key = (incident_id, code)
        dispatched[key] = min(at, dispatched.get(key, at))
    on_scene: dict = {}
    reports = session.execute(
        select(Incident.id, Incident.incident_type, Incident.declared_at, TimelineEntry.at, TimelineEntry.data)
        .select_from(TimelineEntry).join(Incident, TimelineEntry.incident_id == Incident.id)
        .where(TimelineEntry.kind == "unit.status", *in_period)
    ).all()
    unit_ids = {data.get("unit_id") for *_, data in reports if data.get("to") == "on_scene"}
    agency_of_unit = {str(unit_id): code for unit_id, code in session.execute(
        select(ResponseUnit.id, Agency.code).join(Agency, ResponseUnit.agency_id == Agency.id)
        .where(ResponseUnit.id.in_([_uuid(u) for u in unit_ids if _uuid(u) is not None]))
    )} if unit_ids else {}
    for incident_id, kind, declared, at, data in reports:
        code = agency_of_unit.get(str(data.get("unit_id")))
        if data.get("to") != "on_scene" or code is None:
            continue
        incidents[incident_id] = (kind, declared)
        key = (incident_id, code)
        on_scene[key] = min(at, on_scene.get(key, at))
    return [ResponseFact(incident=str(incident_id), incident_type=incidents[incident_id][0], agency=code,
                         declared_at=incidents[incident_id][1], dispatched_at=dispatched.get((incident_id, code)),
                         on_scene_at=on_scene.get((incident_id, code)))
            for incident_id, code in sorted(set(dispatched) | set(on_scene), key=str)]


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
