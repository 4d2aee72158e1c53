"""Reading a finished replication back out of its world into plain, comparable records.

Task deadlines, acknowledgements and escalations come from what the coordination world wrote,
so compliance is measured exactly as the live console would show it. Incidents are named by
the drill's own numbers, never by database keys, so records of equal runs compare equal.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from coordination.planner import priority_for
from simulation.fleet import Fleet
from simulation.records import (
    CommandRecord,
    DrillRecords,
    EscalationRecord,
    IncidentRecord,
    RuleFiringRecord,
    TaskRecord,
)
from simulation.sim_clock import SimClock
from simulation.world_protocol import World
from sop_engine import Severity


class Track(Protocol):
    number: int
    incident_type: str
    severity: Severity
    origin: str
    declared_s: float
    lon: float
    lat: float
    first_on_scene_s: float | None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6) + 0.0


def harvest(*, world: World, clock: SimClock, tracks: dict[Hashable, Track], fleet: Fleet, replication: int,
            duration_s: float, counters: dict[str, int], rule_firings: tuple[RuleFiringRecord, ...] = ()
            ) -> DrillRecords:
    """Collect every record of the replication, ordered by incident number."""

    def at(moment) -> float | None:
        # Already whole microseconds (see SimClock.at_s): no rounding needed.
        return None if moment is None else clock.at_s(moment)

    incident_rows, task_rows, escalation_rows = world.rows()
    incidents = []
    for row in incident_rows:
        track = tracks[row.key]
        response = None if track.first_on_scene_s is None else _r(track.first_on_scene_s - track.declared_s)
        incidents.append(IncidentRecord(
            replication=replication, incident=track.number, incident_type=track.incident_type,
            severity=track.severity.value, priority=priority_for(severity=track.severity), origin=track.origin,
            declared_s=_r(track.declared_s), lon=track.lon, lat=track.lat, sop=row.sop,
            first_on_scene_s=_r(track.first_on_scene_s), response_s=response, resolved_s=at(row.resolved_at),
            status=row.status, is_exercise=row.is_exercise,
        ))
    tasks = []
    for t in task_rows:
        ack, done, ack_due, done_due = at(t.acknowledged_at), at(t.completed_at), at(t.ack_due_at), at(t.complete_due_at)
        tasks.append(TaskRecord(
            replication=replication, incident=tracks[t.incident_key].number, step=t.step_id, role=t.role,
            agency=t.agency_code, created_s=at(t.created_at), ack_due_s=ack_due, acknowledged_s=ack,
            complete_due_s=done_due, completed_s=done, status=t.status,
            ack_in_time=ack is not None and ack <= ack_due, complete_in_time=done is not None and done <= done_due,
            is_exercise=t.is_exercise,
        ))
    escalations = [EscalationRecord(replication, tracks[e.incident_key].number, e.step_id, e.rung, e.target,
                                    at(e.raised_at)) for e in escalation_rows]
    commands = []
    for c in world.command_rows():
        sent, due, answered = at(c.sent_at), at(c.due_at), at(c.answered_at)
        confirmed = c.status == "confirmed"
        commands.append(CommandRecord(
            replication=replication, incident=tracks[c.incident_key].number, step=c.step_id, device=c.device_id,
            device_kind=c.device_kind, action=c.action, sent_s=sent, due_s=due, answered_s=answered, status=c.status,
            confirm_s=_r(answered - sent) if confirmed else None, confirmed_in_time=confirmed and answered <= due,
            is_exercise=c.is_exercise,
        ))
    return DrillRecords(
        replication=replication, duration_s=duration_s,
        incidents=tuple(sorted(incidents, key=lambda r: r.incident)),
        tasks=tuple(sorted(tasks, key=lambda r: (r.incident, r.created_s, r.step, r.agency))),
        escalations=tuple(sorted(escalations, key=lambda r: (r.incident, r.raised_s, r.step, r.rung, r.target))),
        dispatches=tuple(sorted(fleet.dispatch_records(), key=lambda r: (r.dispatched_s, r.incident, r.unit))),
        unserved=fleet.unserved_records(),
        units=fleet.unit_records(duration_s),
        commands=tuple(sorted(commands, key=lambda r: (r.incident, r.sent_s, r.step, r.device))),
        rule_firings=tuple(rule_firings),
        counters=dict(counters),
    )
