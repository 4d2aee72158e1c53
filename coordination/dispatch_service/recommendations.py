"""Recommendations: the dispatch policy run over every open demand and every unit, and persisted.

A request for units (from a duty officer or an SOP dispatch step) records a demand, then plans
for all open demands at once, because units are shared: the plan for one incident is only
good if it is good for the others. A newer recommendation supersedes older proposed ones, so
the duty officer never accepts a plan made on stale positions by mistake.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.planner import (
    PRIORITY_BY_SEVERITY,
    DispatchOptions,
    Plan,
    TravelTimes,
    recommend_optimal,
)
from coordination.planner.orders import RecommendationStatus
from coordination.dispatch_service.coverage_rules import station_coverage
from coordination.dispatch_service.demands import checked_needs, open_demands, pure_demands, serialise_dispatch
from coordination.dispatch_service.fleet import snapshot_units
from coordination.dispatch_service.roads import search_lock, travel_times_for
from coordination.errors import Conflict, InvalidInput
from coordination.lifecycles import IncidentStatus
from coordination.store.tables import DispatchDemand, DispatchRecommendation, Incident, ResponseUnit, SopRunRecord
from sop_engine import Severity

MIN_TRAVEL_LIMIT_S = 60
MAX_TRAVEL_LIMIT_S = 4 * 3600

DEFAULT_OPTIONS = DispatchOptions(preempt_min_priority=PRIORITY_BY_SEVERITY[Severity.EXTREME])
"""Units already sent to lesser incidents are diverted only for an extreme one."""


def recommend_dispatch(
    *,
    session: Session,
    clock: Clock,
    incident_id: uuid.UUID | None,
    needs: Mapping[str, int],
    requested_by: str,
    sop_run_id: uuid.UUID | None = None,
    sop_step_id: str | None = None,
    travel: TravelTimes | None = None,
    options: DispatchOptions = DEFAULT_OPTIONS,
    coverage: Mapping[str, int] | None = None,
    max_travel_s: int | None = None,
) -> DispatchRecommendation:
    """Record an incident's request for units and recommend a plan for every open demand.

    Args:
        session: the caller's transaction; the demand, the recommendation and its timeline
            entry are written in it.
        clock: the time of the request.
        incident_id: the incident asking (None with empty `needs`: re-plan the open demands).
        needs: unit type or capability -> count; empty re-plans without a new request.
        requested_by: who asked, as the timeline shows it (a principal's label, or ``"engine"``
            with `sop_run_id` and `sop_step_id` for an SOP dispatch step).
        sop_run_id, sop_step_id: the SOP step that asked, kept on the demand and the
            recommendation so the run can be told when its units are dispatched.
        travel: travel times on the road network (default: the demo city's).
        options: pre-emption threshold and cost, solver time limit.
        coverage: unit type -> seconds: keep one such unit free within that time of every
            station of its agency kind, moving units up between stations if need be (CP-SAT).
        max_travel_s: never recommend a unit further away than this.

    Returns:
        The proposed recommendation; its plan may be partial (never an exception for lack of units).

    Raises:
        InvalidInput: an unknown incident (`incident_id`), SOP run (`sop_run_id`), need
            (`needs.<name>`) or coverage type (`coverage.<type>`), or a bad `max_travel_s`.
        Conflict: the incident is not open.
    """
    needs = checked_needs(needs)
    now = clock.now()
    serialise_dispatch(session)
    incident = None
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise InvalidInput(f"incident {incident_id} does not exist", field="incident_id")
        if incident.status is not IncidentStatus.OPEN:
            raise Conflict(f"incident {incident_id} is {incident.status.value}; units go only to open incidents")
    elif needs:
        raise InvalidInput("name the incident that needs these units", field="incident_id")
    if sop_run_id is not None and session.get(SopRunRecord, sop_run_id) is None:
        raise InvalidInput(f"SOP run {sop_run_id} does not exist", field="sop_run_id")
    if needs:
        session.add(DispatchDemand(incident_id=incident.id, needs=needs, requested_by=requested_by,
                                   requested_at=now, sop_run_id=sop_run_id, sop_step_id=sop_step_id))
        session.flush()
    session.execute(
        update(DispatchRecommendation).where(DispatchRecommendation.status == RecommendationStatus.PROPOSED)
        .values(status=RecommendationStatus.SUPERSEDED)
    )
    if max_travel_s is not None and not MIN_TRAVEL_LIMIT_S <= max_travel_s <= MAX_TRAVEL_LIMIT_S:
        raise InvalidInput(f"max_travel_s must be {MIN_TRAVEL_LIMIT_S} to {MAX_TRAVEL_LIMIT_S}", field="max_travel_s")
    travel = travel or travel_times_for()
    demands = open_demands(session=session)
    with search_lock():
        cover = station_coverage(session=session, travel=travel, within_s_by_type=coverage or {})
        options = replace(options, coverage=cover.rules,
                          max_travel_s=max_travel_s if max_travel_s is not None else options.max_travel_s)
        units = snapshot_units(session=session, travel=travel)
        problem_demands = pure_demands(demands=demands, travel=travel)
        plan = recommend_optimal(demands=problem_demands, units=units, travel=travel, options=options)
    recommendation = DispatchRecommendation(
        id=uuid.uuid4(), incident_id=incident.id if incident else None, status=RecommendationStatus.PROPOSED,
        requested_by=requested_by, requested_at=now, sop_run_id=sop_run_id, sop_step_id=sop_step_id,
        method=plan.method.value, plan_status=plan.status.value, proven_optimal=plan.proven_optimal,
        solver_status=plan.solver_status, objective=plan.objective, unserved_weight=plan.unserved_weight,
        baseline_objective=plan.baseline_objective, baseline_unserved_weight=plan.baseline_unserved_weight,
        plan=_plan_record(session=session, plan=plan, demands=problem_demands, options=options,
                          station_at=cover.station_at, coverage=coverage or {}),
    )
    session.add(recommendation)
    session.flush()
    unserved = sum(item.count for item in plan.unserved)
    audit.record(
        session, at=now, kind="dispatch.recommended", actor=requested_by,
        incident_id=incident.id if incident else None,
        summary=(f"recommended {len(plan.assignments)} unit(s) for {len(problem_demands)} open incident(s) "
                 f"({plan.method.value}{', proven optimal' if plan.proven_optimal else ''})"
                 + (f"; {unserved} unit(s) short" if unserved else "")),
        data={"recommendation_id": str(recommendation.id), "needs": needs, "objective": plan.objective,
              "baseline_objective": plan.baseline_objective, "sop_run_id": sop_run_id, "sop_step_id": sop_step_id},
    )
    return recommendation


def _plan_record(*, session: Session, plan: Plan, demands, options: DispatchOptions, station_at: dict,
                 coverage: Mapping[str, int]) -> dict[str, Any]:
    """The plan as stored and shown: units by call sign and agency, with the explanation of each."""
    unit_ids = [uuid.UUID(a.unit_id) for a in plan.assignments]
    unit_ids += [uuid.UUID(e.closest_unit_id) for e in plan.explanations]
    unit_ids += [uuid.UUID(m.unit_id) for m in plan.move_ups]
    units = {str(u.id): u for u in session.scalars(
        select(ResponseUnit).where(ResponseUnit.id.in_(unit_ids))).unique()} if unit_ids else {}
    explanation_of = {e.unit_id: e for e in plan.explanations}
    assignments = []
    for a in plan.assignments:
        unit: ResponseUnit = units[a.unit_id]
        explanation = explanation_of.get(a.unit_id)
        text = explanation.text if explanation else ""
        for unit_id, row in units.items():
            text = text.replace(unit_id, row.code)
        assignments.append({
            "unit_id": a.unit_id, "unit_code": unit.code, "unit_type": unit.unit_type, "agency": unit.agency.code,
            "incident_id": a.incident_id, "need": a.need, "eta_s": a.eta_s, "preempted": a.preempted,
            "closest_unit_code": units[explanation.closest_unit_id].code if explanation else None,
            "extra_s": explanation.extra_s if explanation else 0,
            "explanation": text,
        })
    move_ups = []
    for m in plan.move_ups:
        unit = units[m.unit_id]
        to = station_at[m.to_node]
        zones = ", ".join(station_at[z] for z in m.zones)
        move_ups.append({
            "unit_id": m.unit_id, "unit_code": unit.code, "unit_type": unit.unit_type, "agency": unit.agency.code,
            "to_station": to, "travel_s": m.travel_s, "covers": [station_at[z] for z in m.zones],
            "explanation": f"Move {unit.code} to {to} ({m.travel_s} s) to keep a {m.need} within "
                           f"{coverage.get(m.need)} s of {zones}",
        })
    return {
        "options": {"max_travel_s": options.max_travel_s, "preempt_min_priority": options.preempt_min_priority,
                    "preempt_cost_s": options.preempt_cost_s, "coverage": dict(coverage)},
        "gap": plan.gap,
        "preemption_cost": plan.preemption_cost,
        "move_ups": move_ups,
        "uncovered": [{"unit_type": z.need, "station": station_at[z.zone]} for z in plan.uncovered],
        "demands": [{"incident_id": d.incident_id, "needs": dict(d.needs), "priority": d.priority} for d in demands],
        "assignments": assignments,
        "unserved": [{"incident_id": u.incident_id, "need": u.need, "count": u.count, "reason": u.reason.value}
                     for u in plan.unserved],
    }

