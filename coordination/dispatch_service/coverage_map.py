"""Live coverage: where no free unit of a type can arrive within a time, on the dispatch network.

The same travel times the dispatch planner uses (`travel_times_for`, cached per network) give,
in one multi-source Dijkstra from every free unit of the type, each junction's time from the
nearest one; `coordination.planner.coverage_areas` turns that into the squares to shade. Asked
again as units are dispatched and move, and for a recommendation before it is accepted: the
same units less the ones it sends, so the duty officer sees the hole a dispatch would open.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from coordination.dispatch_service.fleet import UNIT_CAPABILITIES, snapshot_units
from coordination.dispatch_service.roads import search_lock, travel_times_for
from coordination.errors import InvalidInput
from coordination.planner import ASSIGNABLE_STATUSES, TravelTimes
from coordination.planner.coverage_areas import Coverage, CoverageGrid, coverage_of
from sop_engine.vocabulary import UNIT_TYPES  # not yet exported by sop_engine (issue 3 owns it)

DEFAULT_COVERAGE_NEED = "als_ambulance"
DEFAULT_COVERAGE_MINUTES = 8
"""The common target for an advanced-life-support ambulance in a city."""
MAX_COVERAGE_MINUTES = 60


@dataclass(frozen=True)
class LiveCoverage:
    """Coverage of one need by the units free now (less any a plan would send)."""

    need: str
    free_units: int
    coverage: Coverage
    grid: CoverageGrid

    def feature_collection(self) -> dict:
        """The uncovered squares as GeoJSON Polygons, with a summary beside the features."""
        return {
            "type": "FeatureCollection",
            "summary": {"need": self.need, "within_s": self.coverage.within_s, "free_units": self.free_units,
                        "covered_percent": round(100 * self.coverage.covered_share, 1)},
            "features": [{"type": "Feature", "properties": {"cell": int(cell)},
                          "geometry": {"type": "Polygon", "coordinates": [self.grid.square(int(cell))]}}
                         for cell in self.coverage.uncovered_cells],
        }


def coverage_needs() -> list[str]:
    """What coverage can be asked for: every unit type and capability."""
    return sorted(set(UNIT_TYPES) | UNIT_CAPABILITIES)


def checked_coverage_request(*, need: str, minutes: str | int) -> tuple[str, int]:
    """The need and the time in seconds, or InvalidInput naming the field."""
    if need not in UNIT_TYPES and need not in UNIT_CAPABILITIES:
        raise InvalidInput(f"unknown unit type or capability {need!r}", field="need")
    text = str(minutes).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_COVERAGE_MINUTES:
        raise InvalidInput(f"minutes must be a whole number from 1 to {MAX_COVERAGE_MINUTES}", field="minutes")
    return need, int(text) * 60


def live_coverage(*, session: Session, need: str, within_s: int, travel: TravelTimes | None = None,
                  leaving: Iterable[uuid.UUID | str] = ()) -> LiveCoverage:
    """Where no free unit meeting `need` reaches within `within_s`; `leaving`: units taken away first
    (those a recommendation would dispatch)."""
    travel = travel or travel_times_for()
    gone = {str(unit_id) for unit_id in leaving}
    with search_lock():
        units = snapshot_units(session=session, travel=travel)
        free = [u for u in units if u.status in ASSIGNABLE_STATUSES and u.can_meet(need) and u.id not in gone]
        times = travel.travel_s_from_nearest(origins=[u.node for u in free], limit_s=within_s)
        grid = grid_for(travel)
    return LiveCoverage(need=need, free_units=len(free), coverage=coverage_of(grid=grid, travel_s=times,
                                                                                within_s=within_s), grid=grid)


@dataclass(frozen=True)
class CoverageChange:
    """What accepting a recommendation does to one need's coverage."""

    need: str
    within_s: int
    before: LiveCoverage
    after: LiveCoverage

    @property
    def newly_uncovered(self) -> int:
        return len(set(self.after.coverage.uncovered_cells.tolist()) - set(self.before.coverage.uncovered_cells.tolist()))


def coverage_change(*, session: Session, plan: dict, within_s: int = DEFAULT_COVERAGE_MINUTES * 60,
                    travel: TravelTimes | None = None) -> list[CoverageChange]:
    """For each unit type a stored plan sends, coverage now and after its units leave."""
    # Move-ups stay free where they go, so only the units sent to incidents leave the count.
    sent = [a["unit_id"] for a in plan.get("assignments", [])]
    changes = []
    for need in sorted({a["unit_type"] for a in plan.get("assignments", [])}):
        before = live_coverage(session=session, need=need, within_s=within_s, travel=travel)
        after = live_coverage(session=session, need=need, within_s=within_s, travel=travel, leaving=sent)
        changes.append(CoverageChange(need=need, within_s=within_s, before=before, after=after))
    return changes


_grids: dict[int, tuple[TravelTimes, CoverageGrid]] = {}
_grids_lock = threading.Lock()


def grid_for(travel: TravelTimes) -> CoverageGrid:
    """The coverage squares of a network, built once per `TravelTimes` (so once per network)."""
    with _grids_lock:
        held = _grids.get(id(travel))
        if held is None or held[0] is not travel:
            held = _grids[id(travel)] = (travel, CoverageGrid.over(lon=travel.lon, lat=travel.lat))
        return held[1]
