"""The JSON shapes of stations, units and recommendations, for the API."""

from __future__ import annotations

from typing import Any

from coordination.representations import iso, point
from coordination.store.tables import DispatchRecommendation, ResponseUnit, Station


def station_json(station: Station) -> dict[str, Any]:
    return {
        "id": str(station.id),
        "code": station.code,
        "name": station.name,
        "agency": {"id": str(station.agency_id), "code": station.agency.code},
        "location": point(station.longitude, station.latitude),
    }


def unit_json(unit: ResponseUnit) -> dict[str, Any]:
    return {
        "id": str(unit.id),
        "code": unit.code,
        "unit_type": unit.unit_type,
        "capabilities": list(unit.capabilities),
        "agency": {"id": str(unit.agency_id), "code": unit.agency.code},
        "station": {"id": str(unit.station_id), "code": unit.station.code} if unit.station else None,
        "status": unit.status.value,
        "location": point(unit.longitude, unit.latitude),
        "position_fixed_at": iso(unit.position_fixed_at),
        "updated_at": iso(unit.updated_at),
    }


def recommendation_json(recommendation: DispatchRecommendation) -> dict[str, Any]:
    """A recommendation with its plan, explanation, the closest-unit baseline, and the decision."""
    plan = recommendation.plan
    return {
        "id": str(recommendation.id),
        "status": recommendation.status.value,
        "incident_id": str(recommendation.incident_id) if recommendation.incident_id else None,
        "requested_by": recommendation.requested_by,
        "requested_at": iso(recommendation.requested_at),
        "sop_run_id": str(recommendation.sop_run_id) if recommendation.sop_run_id else None,
        "sop_step_id": recommendation.sop_step_id,
        "method": recommendation.method,
        "plan_status": recommendation.plan_status,
        "proven_optimal": recommendation.proven_optimal,
        "solver_status": recommendation.solver_status,
        "objective": recommendation.objective,
        "unserved_weight": recommendation.unserved_weight,
        "baseline": {"method": "closest_available_unit", "objective": recommendation.baseline_objective,
                     "unserved_weight": recommendation.baseline_unserved_weight},
        "options": plan.get("options", {}),
        "demands": plan.get("demands", []),
        "assignments": plan.get("assignments", []),
        "unserved": plan.get("unserved", []),
        "gap": plan.get("gap"),
        "preemption_cost": plan.get("preemption_cost", 0),
        "move_ups": plan.get("move_ups", []),
        "uncovered": plan.get("uncovered", []),
        "decided_by": recommendation.decided_by,
        "decided_at": iso(recommendation.decided_at),
        "dispatched": plan.get("dispatched", []),
        "moved_up": plan.get("moved_up", []),
        "changes": plan.get("changes"),
        "note": plan.get("note", ""),
    }
