"""A drill's prediction in the terms of the centre's KPI page: its records turned into the facts
`coordination.performance` measures live work by, so the same rules give both tables.

Replications are pooled: times and shares over every replication's tasks, counts per
replication. Drill units carry no agency, so dispatch response is per incident type only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from coordination.performance import EscalationFact, KpiRow, ResponseFact, TaskFact, performance_table
from simulation.records import DrillRecords

_ENDED = ("rejected", "cancelled")


def centre_kpis(records: Sequence[DrillRecords], *, start: datetime) -> list[KpiRow]:
    """The KPI table of a drill's replications, `start` being the drill's simulated start."""

    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else start + timedelta(seconds=seconds)

    tasks, escalations, responses = [], [], []
    for replication in records:
        types = {i.incident: i.incident_type for i in replication.incidents}
        agency_of_step = {(t.incident, t.step): t.agency for t in replication.tasks}
        # A task's end is not recorded; the drill's end bounds it (deadlines after it are unknown).
        end = at(replication.duration_s)
        for t in replication.tasks:
            tasks.append(TaskFact(agency=t.agency, incident_type=types[t.incident], created_at=at(t.created_s),
                                  ack_due_at=at(t.ack_due_s), acknowledged_at=at(t.acknowledged_s),
                                  complete_due_at=at(t.complete_due_s), completed_at=at(t.completed_s),
                                  ended_at=end if t.status in _ENDED else None))
        escalations.extend(EscalationFact(types[e.incident], agency_of_step.get((e.incident, e.step)))
                           for e in replication.escalations)
        first_dispatch: dict[int, float] = {}
        for d in replication.dispatches:
            first_dispatch[d.incident] = min(d.dispatched_s, first_dispatch.get(d.incident, d.dispatched_s))
        for i in replication.incidents:
            if i.incident in first_dispatch or i.first_on_scene_s is not None:
                responses.append(ResponseFact(
                    incident=f"{replication.replication}:{i.incident}", incident_type=i.incident_type, agency=None,
                    declared_at=at(i.declared_s), dispatched_at=at(first_dispatch.get(i.incident)),
                    on_scene_at=at(i.first_on_scene_s)))
    now = start + timedelta(seconds=max((r.duration_s for r in records), default=0.0))
    return performance_table(tasks=tasks, escalations=escalations, responses=responses, now=now,
                             runs=max(1, len(records)))
