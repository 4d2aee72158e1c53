"""Accepting a recommendation: the duty officer's decision, and the units it dispatches.

In one transaction: each chosen unit moves to dispatched (through `UNIT_MOVES`), a task for
its agency is written with its webhook in the outbox, a unit diverted from lesser work has its
old task cancelled (and its agency told), the demands met are closed, and the timeline records
who decided what, including every change to the recommended plan.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.planner import ASSIGNABLE_STATUSES, PREEMPTIBLE_STATUSES, UNIT_MOVES, TravelTimes, UnitStatus, priority_for
from coordination.planner.orders import (
    DEMAND_MOVES,
    RECOMMENDATION_MOVES,
    AssignmentStatus,
    DemandStatus,
    RecommendationStatus,
)
from coordination.dispatch_service.demands import OpenDemand, open_demands, outstanding_of, serialise_dispatch
from coordination.dispatch_service.fleet import active_assignment, end_assignment
from coordination.dispatch_service.roads import search_lock, travel_times_for
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.lifecycles import require_move
from coordination.store.tables import DispatchAssignment, DispatchRecommendation, Incident, ResponseUnit, Task
from coordination.webhooks.outbox import enqueue, task_payload

DISPATCH_ACK_S = 120
"""An agency confirms a dispatch order within two minutes: a crew turns out in about one."""

ON_SCENE_ALLOWANCE_S = 3600
"""A dispatch task's completion is due this long after the unit's expected arrival."""

DISPATCH_STEP = "dispatch"
"""The step name of a dispatch task that no SOP step asked for."""

MOVE_UP_STEP = "move_up"
"""The step name of a task that moves a free unit to a standby station to keep an area covered."""


class ChosenUnit(BaseModel):
    """One unit the duty officer sends, in place of the recommended plan."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID
    incident_id: uuid.UUID
    need: str = Field(min_length=1, max_length=64)


def accept_recommendation(
    *,
    session: Session,
    clock: Clock,
    recommendation_id: uuid.UUID,
    decided_by: str,
    assignments: Sequence[ChosenUnit] | None = None,
    note: str = "",
    travel: TravelTimes | None = None,
) -> DispatchRecommendation:
    """Accept a recommendation as it is, or as the duty officer changed it, and dispatch its units.

    Args:
        session: the caller's transaction.
        clock: the time of the decision.
        recommendation_id: a proposed recommendation.
        decided_by: who decided, as the timeline shows it.
        assignments: the units to send instead of the recommended ones (None: as recommended).
        note: the duty officer's reason, kept on the timeline.
        travel: travel times for units the duty officer added (default: the demo city's).

    Returns:
        The accepted recommendation; `plan["dispatched"]` lists what was sent, and
        `plan["sop_confirmations"]` each SOP dispatch step whose request is now met, as
        ``{"sop_run_id", "sop_step_id", "unit_ids"}``: what the caller feeds to the run as
        `DispatchConfirmed`. Accepting an accepted recommendation again without changes returns
        it unchanged.

    Raises:
        NotFound: no such recommendation.
        InvalidTransition: it was superseded by a newer one (ask for a new recommendation).
        InvalidInput: a chosen unit, incident or need is unknown, repeated, or more than the
            incident still needs (`assignments.<n>.<field>`).
        Conflict: a chosen unit is no longer free (it moved on since the recommendation).
    """
    lock = session.get_bind().dialect.name == "postgresql"
    serialise_dispatch(session)
    recommendation = session.get(DispatchRecommendation, recommendation_id, with_for_update=lock)
    if recommendation is None:
        raise NotFound(f"recommendation {recommendation_id} does not exist")
    if recommendation.status is RecommendationStatus.ACCEPTED and assignments is None:
        return recommendation
    require_move(f"recommendation {recommendation.id}", recommendation.status, RecommendationStatus.ACCEPTED,
                 RECOMMENDATION_MOVES)
    recommended = [(a["unit_id"], a["incident_id"], a["need"]) for a in recommendation.plan["assignments"]]
    eta_of = {(a["unit_id"], a["incident_id"]): a["eta_s"] for a in recommendation.plan["assignments"]}
    if assignments is None:
        chosen = recommended
    else:
        chosen = [(str(c.unit_id), str(c.incident_id), c.need) for c in assignments]
    demands = {str(d.incident.id): d for d in open_demands(session=session)}
    units = _checked_units(session=session, chosen=chosen, demands=demands,
                           preempt_min_priority=recommendation.plan["options"]["preempt_min_priority"], lock=lock,
                           as_recommended=assignments is None)
    now = clock.now()
    dispatched = []
    for (unit_id, incident_id, need), unit in zip(chosen, units):
        eta_s = eta_of.get((unit_id, incident_id))
        if eta_s is None:
            eta_s = _eta_s(unit=unit, incident=demands[incident_id].incident, travel=travel or travel_times_for())
        dispatched.append(_dispatch(session=session, now=now, recommendation=recommendation, unit=unit,
                                    demand=demands[incident_id], need=need, eta_s=eta_s, decided_by=decided_by))
    sent = {unit_id for unit_id, _incident, _need in chosen}
    moved_up = [_move_up(session=session, now=now, recommendation=recommendation, move=move, decided_by=decided_by)
                for move in recommendation.plan.get("move_ups", []) if move["unit_id"] not in sent]
    confirmations = []
    for demand in demands.values():
        for row in demand.rows:
            if row.status is DemandStatus.OPEN and not outstanding_of(session=session, demand=row):
                require_move(f"demand {row.id}", row.status, DemandStatus.MET, DEMAND_MOVES)
                row.status = DemandStatus.MET
                row.closed_at = now
                if row.sop_run_id is not None and row.sop_step_id is not None:
                    confirmations.append(_sop_confirmation(session=session, demand=row))
    recommendation.status = RecommendationStatus.ACCEPTED
    recommendation.decided_by = decided_by
    recommendation.decided_at = now
    added = sorted(set(chosen) - set(recommended))
    removed = sorted(set(recommended) - set(chosen))
    recommendation.plan = {**recommendation.plan, "dispatched": dispatched, "note": note,
                           "moved_up": [m for m in moved_up if m is not None],
                           "sop_confirmations": confirmations,
                           "changes": {"added": [_triple(t) for t in added], "removed": [_triple(t) for t in removed]}}
    _record_decision(session=session, now=now, recommendation=recommendation, dispatched=dispatched,
                     added=added, removed=removed, note=note, decided_by=decided_by)
    return recommendation


def _checked_units(*, session: Session, chosen: list[tuple[str, str, str]], demands: dict[str, OpenDemand],
                   preempt_min_priority: int | None, lock: bool, as_recommended: bool) -> list[ResponseUnit]:
    """Check every chosen unit against the open demands and the units' present state.

    A recommended plan that no longer fits the demands is out of date (a conflict: ask again);
    a plan the duty officer wrote that does not fit them is bad input naming the entry.
    """
    left = {incident_id: Counter(d.outstanding) for incident_id, d in demands.items()}
    seen: set[str] = set()
    units = []
    for n, (unit_id, incident_id, need) in enumerate(chosen):
        where = f"assignments.{n}"
        demand = demands.get(incident_id)
        if (demand is None or left[incident_id][need] <= 0) and as_recommended:
            raise Conflict(f"the recommendation is out of date: incident {incident_id} no longer needs that {need}; "
                           "ask for a new recommendation")
        if demand is None:
            raise InvalidInput(f"incident {incident_id} has no open request for units", field=f"{where}.incident_id")
        if left[incident_id][need] <= 0:
            raise InvalidInput(f"incident {incident_id} does not need (more) {need}", field=f"{where}.need")
        left[incident_id][need] -= 1
        if unit_id in seen:
            raise InvalidInput(f"unit {unit_id} is sent twice", field=f"{where}.unit_id")
        seen.add(unit_id)
        query = select(ResponseUnit).where(ResponseUnit.id == uuid.UUID(unit_id))
        unit = session.scalars(query.with_for_update(of=ResponseUnit) if lock else query).unique().one_or_none()
        if unit is None:
            raise InvalidInput(f"unit {unit_id} does not exist", field=f"{where}.unit_id")
        if need != unit.unit_type and need not in unit.capabilities:
            raise InvalidInput(f"unit {unit.code} ({unit.unit_type}) cannot serve as {need}", field=f"{where}.need")
        priority = priority_for(severity=demand.incident.severity)
        may_preempt = (preempt_min_priority is not None and priority >= preempt_min_priority
                       and unit.committed_priority < priority)
        if unit.status not in ASSIGNABLE_STATUSES and not (unit.status in PREEMPTIBLE_STATUSES and may_preempt):
            raise Conflict(f"unit {unit.code} is {unit.status.value} and cannot be sent; ask for a new recommendation")
        units.append(unit)
    return units


def _dispatch(*, session: Session, now: datetime, recommendation: DispatchRecommendation, unit: ResponseUnit,
              demand: OpenDemand, need: str, eta_s: int, decided_by: str) -> dict[str, Any]:
    """Send one unit: divert it from lesser work if need be, move it, and write its agency's task."""
    incident = demand.incident
    previous = active_assignment(session=session, unit_id=unit.id)
    preempted = previous is not None
    if previous is not None:
        end_assignment(session=session, assignment=previous, now=now, to=AssignmentStatus.DIVERTED)
        old_task = session.get(Task, previous.task_id) if previous.task_id else None
        if old_task is not None:
            enqueue(session, agency=unit.agency, event_type="task.cancelled", at=now, task=old_task,
                    data={**task_payload(old_task), "reason": f"unit {unit.code} diverted to a more urgent incident"})
        audit.record(session, at=now, kind="dispatch.diverted", actor=decided_by, incident_id=previous.incident_id,
                     summary=f"unit {unit.code} diverted to a more urgent incident; this incident needs another {need}",
                     data={"unit_id": str(unit.id), "to_incident_id": str(incident.id)})
    require_move(f"unit {unit.code}", unit.status, UnitStatus.DISPATCHED, UNIT_MOVES)
    unit.status = UnitStatus.DISPATCHED
    unit.committed_priority = priority_for(severity=incident.severity)
    unit.updated_at = now
    row = _demand_row_for(session=session, demand=demand, need=need)
    step_id = row.sop_step_id or DISPATCH_STEP
    task = Task(
        id=uuid.uuid4(), incident_id=incident.id, run_id=None, step_id=step_id, agency_id=unit.agency_id,
        role=unit.agency.kind, created_at=now, updated_at=now,
        instruction=(f"Send {unit.code} ({unit.unit_type.replace('_', ' ')}) to the {incident.severity.value} "
                     f"{incident.incident_type.replace('_', ' ')} as {need.replace('_', ' ')}; expected on scene in "
                     f"{math.ceil(eta_s / 60)} min"),
        ack_due_at=now + timedelta(seconds=DISPATCH_ACK_S),
        complete_due_at=now + timedelta(seconds=eta_s + ON_SCENE_ALLOWANCE_S),
    )
    task.agency, task.incident = unit.agency, incident
    session.add(task)
    session.flush()
    session.add(DispatchAssignment(
        recommendation_id=recommendation.id, demand_id=row.id, incident_id=incident.id, unit_id=unit.id,
        task_id=task.id, need=need, eta_s=eta_s, status=AssignmentStatus.ACTIVE, preempted=preempted,
        dispatched_at=now,
    ))
    session.flush()
    order = {"unit_id": str(unit.id), "unit_code": unit.code, "unit_type": unit.unit_type, "need": need,
             "eta_s": eta_s, "recommendation_id": str(recommendation.id), "preempted": preempted}
    audit.record(session, at=now, kind="task.created", actor=decided_by, incident_id=incident.id,
                 summary=f"dispatch: task for {unit.agency.code}: {task.instruction}",
                 data={"task_id": str(task.id), "agency": unit.agency.code, "step_id": step_id, **order})
    enqueue(session, agency=unit.agency, event_type="task.created", at=now, task=task,
            data={**task_payload(task), "dispatch": order})
    return {**order, "incident_id": str(incident.id), "agency": unit.agency.code, "task_id": str(task.id)}


def _move_up(*, session: Session, now: datetime, recommendation: DispatchRecommendation, move: dict[str, Any],
             decided_by: str) -> dict[str, Any] | None:
    """Tell a free unit's agency to move it to a standby station; None if the unit is no longer free.

    The unit stays available (it can take a call on the way); its AVL fixes show it moving.
    """
    unit = session.get(ResponseUnit, uuid.UUID(move["unit_id"]))
    if unit is None or unit.status is not UnitStatus.AVAILABLE:
        return None
    incident_id = recommendation.incident_id or uuid.UUID(recommendation.plan["demands"][0]["incident_id"])
    task = Task(
        id=uuid.uuid4(), incident_id=incident_id, run_id=None, step_id=MOVE_UP_STEP, agency_id=unit.agency_id,
        role=unit.agency.kind, created_at=now, updated_at=now, instruction=move["explanation"],
        ack_due_at=now + timedelta(seconds=DISPATCH_ACK_S),
        complete_due_at=now + timedelta(seconds=move["travel_s"] + DISPATCH_ACK_S),
    )
    task.agency, task.incident = unit.agency, session.get(Incident, incident_id)
    session.add(task)
    session.flush()
    order = {"unit_id": str(unit.id), "unit_code": unit.code, "to_station": move["to_station"],
             "travel_s": move["travel_s"], "recommendation_id": str(recommendation.id)}
    audit.record(session, at=now, kind="task.created", actor=decided_by, incident_id=incident_id,
                 summary=f"move-up: task for {unit.agency.code}: {task.instruction}",
                 data={"task_id": str(task.id), "agency": unit.agency.code, "step_id": MOVE_UP_STEP, **order})
    enqueue(session, agency=unit.agency, event_type="task.created", at=now, task=task,
            data={**task_payload(task), "move_up": order})
    return {**order, "task_id": str(task.id), "agency": unit.agency.code}


def _sop_confirmation(*, session: Session, demand) -> dict[str, Any]:
    """The units that met an SOP step's request, for its `DispatchConfirmed` event."""
    assignments = session.scalars(
        select(DispatchAssignment).where(DispatchAssignment.demand_id == demand.id)
        .order_by(DispatchAssignment.dispatched_at, DispatchAssignment.id)
    ).unique().all()
    return {"sop_run_id": str(demand.sop_run_id), "sop_step_id": demand.sop_step_id,
            "unit_ids": [str(a.unit_id) for a in assignments if a.status.counts]}


def _demand_row_for(*, session: Session, demand: OpenDemand, need: str):
    """The oldest of the incident's open requests still short of `need` (the unit is credited to it)."""
    for row in demand.rows:
        if outstanding_of(session=session, demand=row).get(need, 0) > 0:
            return row
    raise Conflict(f"incident {demand.incident.id} no longer needs {need}")  # checked before; a race


def _eta_s(*, unit: ResponseUnit, incident: Incident, travel: TravelTimes) -> int:
    """Seconds by road from a unit the duty officer chose to the incident."""
    with search_lock():
        unit_node, incident_node = travel.nearest_nodes(points=[(unit.longitude, unit.latitude),
                                                                (incident.longitude, incident.latitude)])
        seconds = float(travel.travel_s_to(target=incident_node, origins=[unit_node])[0])
    if not math.isfinite(seconds):
        raise Conflict(f"unit {unit.code} cannot reach incident {incident.id} by road")
    return math.ceil(seconds)


def _triple(item: tuple[str, str, str]) -> dict[str, str]:
    unit_id, incident_id, need = item
    return {"unit_id": unit_id, "incident_id": incident_id, "need": need}


def _record_decision(*, session: Session, now: datetime, recommendation: DispatchRecommendation,
                     dispatched: list[dict[str, Any]], added: list, removed: list, note: str, decided_by: str) -> None:
    """One timeline entry per incident concerned: what was sent, and how the decision differed from the plan."""
    how = "as recommended" if not added and not removed else f"with changes ({len(added)} added, {len(removed)} removed)"
    incidents = sorted({d["incident_id"] for d in dispatched} | {t[1] for t in removed})
    for incident_id in incidents:
        sent = [d["unit_code"] for d in dispatched if d["incident_id"] == incident_id]
        dropped = [t[0] for t in removed if t[1] == incident_id]
        summary = f"recommendation accepted {how}: " + (", ".join(sent) + " dispatched" if sent else "nothing sent")
        if dropped:
            summary += f"; {len(dropped)} recommended unit(s) not sent"
        if note:
            summary += f" ({note})"
        audit.record(session, at=now, kind="dispatch.accepted", actor=decided_by, incident_id=uuid.UUID(incident_id),
                     summary=summary,
                     data={"recommendation_id": str(recommendation.id), "dispatched": sent,
                           "added": [_triple(t) for t in added if t[1] == incident_id],
                           "removed": [_triple(t) for t in removed if t[1] == incident_id]})
    if not incidents:
        audit.record(session, at=now, kind="dispatch.accepted", actor=decided_by, incident_id=recommendation.incident_id,
                     summary=f"recommendation accepted {how}: nothing sent",
                     data={"recommendation_id": str(recommendation.id)})
