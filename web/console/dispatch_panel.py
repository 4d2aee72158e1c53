"""The data of the incident page's dispatch panel: the proposed plan that includes the incident,
each of its units' ETA and explanation, and the free units that could replace each one."""

from __future__ import annotations

import math
from dataclasses import dataclass

from coordination.dispatch_service import open_demands, search_lock, travel_times_for
from coordination.dispatch_service.coverage_map import DEFAULT_COVERAGE_MINUTES, coverage_change
from coordination.planner import TravelTimes
from coordination.planner.coverage_areas import DEFAULT_CELL_M
from coordination.queries.dispatch import assignable_units, proposed_recommendations, units_sent_to
from coordination.store import Session
from coordination.sop_catalogue import unit_types_used
from sop_engine import UNIT_TYPES, SopRef
from web.app.context import services

ALTERNATIVES_SHOWN = 8
"""Units offered in place of each recommended one, nearest first."""


@dataclass(frozen=True)
class Alternative:
    unit_id: str
    label: str


def dispatch_context(db: Session, incident) -> dict:
    """What the panel shows: the proposed plan that includes this incident (with the units that
    could replace each of its units, nearest first), the outstanding needs, and what was sent."""
    proposed = proposed_recommendations(db)
    mine = str(incident.id)
    current = next((r for r in proposed if any(d["incident_id"] == mine for d in r.plan.get("demands", []))), None)
    sent = units_sent_to(db, incident.id)
    outstanding = next((d.outstanding for d in open_demands(session=db) if d.incident.id == incident.id), {})
    rows = []
    if current is not None:
        planned = {a["unit_id"] for a in current.plan["assignments"]}
        for n, assignment in enumerate(current.plan["assignments"]):
            rows.append({**assignment, "index": n, "here": assignment["incident_id"] == mine,
                         "alternatives": _alternatives(db, incident, assignment["need"], planned)
                         if assignment["incident_id"] == mine else []})
    coverage = (coverage_change(session=db, plan=current.plan, within_s=DEFAULT_COVERAGE_MINUTES * 60,
                                travel=services().travel or travel_times_for()) if current is not None else [])
    first = unit_types_used(db, incident_type=incident.incident_type,
                            pinned=[SopRef(run.sop_id, run.sop_version) for run in incident.runs])
    return {"recommendation": current, "plan_rows": rows, "outstanding": outstanding, "sent": sent,
            "still_needed": still_needed(outstanding, [row for row in rows if row["here"]], current is not None),
            "coverage": coverage, "coverage_minutes": DEFAULT_COVERAGE_MINUTES, "coverage_cell_m": DEFAULT_CELL_M,
            "unserved": [u for u in (current.plan.get("unserved", []) if current else []) if u["incident_id"] == mine],
            "elsewhere": sum(1 for row in rows if not row["here"]),
            "unit_types_first": first, "unit_types_other": sorted(set(UNIT_TYPES) - set(first))}


def unit_words(unit_type: str, count: int) -> str:
    """`2 fire engines`, `1 ambulance`."""
    words = unit_type.replace("_", " ")
    return f"{count} {words}" + ("" if count == 1 or words.endswith("s") else "s")


def still_needed(outstanding: dict[str, int], plan_rows: list[dict], has_plan: bool) -> list[str]:
    """Each unit type still needed, said together with what the recommendation under it sends,
    so the two never read as a contradiction (the plan may send fewer, none, or, made before
    other units went, more)."""
    planned: dict[str, int] = {}
    for row in plan_rows:
        planned[row["need"]] = planned.get(row["need"], 0) + 1
    lines = []
    for need, count in sorted(outstanding.items()):
        sends = planned.get(need, 0)
        if not has_plan:
            lines.append(f"{unit_words(need, count)}: ask for a recommendation below")
        elif sends >= count:
            lines.append(f"{unit_words(need, count)}: the recommendation below sends {sends}")
        elif sends:
            lines.append(f"{unit_words(need, count)}: the recommendation below sends {sends}; "
                         f"no free unit for the other {count - sends}")
        else:
            lines.append(f"{unit_words(need, count)}: no free unit in the recommendation below")
    for need, sends in sorted(planned.items()):
        if need not in outstanding:
            lines.append(f"{unit_words(need, sends)} in the recommendation below, no longer needed "
                         "(made before other units went): ask again")
    return lines


def _alternatives(db: Session, incident, need: str, planned: set[str]) -> list[Alternative]:
    """Free units that can serve `need` and are not in the plan, nearest by road first."""
    units = [unit for unit in assignable_units(db)
             if (unit.unit_type == need or need in unit.capabilities) and str(unit.id) not in planned]
    if not units:
        return []
    seconds = _travel_s(services().travel or travel_times_for(), incident, units)
    ranked = sorted(zip(seconds, (unit.code for unit in units), units))[:ALTERNATIVES_SHOWN]
    return [Alternative(str(unit.id), f"{unit.code} ({unit.unit_type.replace('_', ' ')}, {unit.agency.code}), "
                        f"ETA {minutes(eta)}") for eta, _code, unit in ranked if math.isfinite(eta)]


def _travel_s(travel: TravelTimes, incident, units: list) -> list[float]:
    with search_lock():
        nodes = travel.nearest_nodes(points=[(incident.longitude, incident.latitude)]
                                     + [(unit.longitude, unit.latitude) for unit in units])
        return [float(s) for s in travel.travel_s_to(target=nodes[0], origins=nodes[1:])]


def minutes(seconds: float) -> str:
    whole = int(math.ceil(seconds))
    return f"{whole // 60} min {whole % 60:02d} s"
