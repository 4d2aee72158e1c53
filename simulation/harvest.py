"""Reading a finished replication back out of its database into plain, comparable records.

Task deadlines, acknowledgements and escalations come from the rows the production services
wrote, so compliance is measured exactly as the live console would show it.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy import select

from coordination import Store
from coordination.dispatch import priority_for
from coordination.store.tables import Escalation, Incident, SopRunRecord, Task
from simulation.fleet import Fleet
from simulation.records import DrillRecords, EscalationRecord, IncidentRecord, TaskRecord
from simulation.sim_clock import SimClock


class Track(Protocol):
    number: int
    origin: str
    first_on_scene_s: float | None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def harvest(*, store: Store, clock: SimClock, tracks: dict[uuid.UUID, Track], fleet: Fleet, replication: int,
            duration_s: float, counters: dict[str, int]) -> DrillRecords:
    """Collect every record of the replication, ordered by incident number."""

    def at(moment) -> float | None:
        return None if moment is None else _r(clock.at_s(moment))

    with store.transaction() as session:
        sop_of = {run.incident_id: f"{run.sop_id}@v{run.sop_version}"
                  for run in session.scalars(select(SopRunRecord).order_by(SopRunRecord.started_at))}
        incidents = []
        for incident in session.scalars(select(Incident)):
            track = tracks[incident.id]
            declared = at(incident.declared_at)
            response = None if track.first_on_scene_s is None else _r(track.first_on_scene_s - declared) + 0.0
            incidents.append(IncidentRecord(
                replication=replication, incident=track.number, incident_type=incident.incident_type,
                severity=incident.severity.value, priority=priority_for(severity=incident.severity),
                origin=track.origin, declared_s=declared, lon=incident.longitude, lat=incident.latitude,
                sop=sop_of.get(incident.id, ""), first_on_scene_s=_r(track.first_on_scene_s), response_s=response,
                resolved_s=at(incident.resolved_at or incident.closed_at), status=incident.status.value,
                is_exercise=bool(incident.is_exercise),
            ))
        tasks = []
        for task in session.scalars(select(Task)):
            ack, done = at(task.acknowledged_at), at(task.completed_at)
            ack_due, done_due = at(task.ack_due_at), at(task.complete_due_at)
            tasks.append(TaskRecord(
                replication=replication, incident=tracks[task.incident_id].number, step=task.step_id,
                role=task.role.value, agency=task.agency.code, created_s=at(task.created_at), ack_due_s=ack_due,
                acknowledged_s=ack, complete_due_s=done_due, completed_s=done, status=task.status.value,
                ack_in_time=ack is not None and ack <= ack_due, complete_in_time=done is not None and done <= done_due,
                is_exercise=bool(task.incident.is_exercise),
            ))
        escalations = [
            EscalationRecord(replication, tracks[e.incident_id].number, e.step_id, e.rung, e.target.value,
                             at(e.raised_at))
            for e in session.scalars(select(Escalation))
        ]
    return DrillRecords(
        replication=replication, duration_s=duration_s,
        incidents=tuple(sorted(incidents, key=lambda r: r.incident)),
        tasks=tuple(sorted(tasks, key=lambda r: (r.incident, r.created_s, r.step, r.agency))),
        escalations=tuple(sorted(escalations, key=lambda r: (r.incident, r.raised_s, r.step, r.rung))),
        dispatches=tuple(sorted(fleet.dispatch_records(), key=lambda r: (r.dispatched_s, r.incident, r.unit))),
        unserved=fleet.unserved_records(),
        units=fleet.unit_records(duration_s),
        counters=dict(counters),
    )
