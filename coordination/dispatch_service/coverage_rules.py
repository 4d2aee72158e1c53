"""Coverage rules in the service's terms: keep a unit of a type within T of every station of its kind.

Stations are where an agency has chosen to be, so they stand for the zones it must reach, and
they are where a unit can wait on standby: each station is both a zone and a move-up point.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.planner import CoverageRule, TravelTimes
from coordination.errors import InvalidInput
from coordination.store.tables import Agency, Station
from sop_engine.vocabulary import UNIT_TYPES  # not yet exported by sop_engine (issue 3 owns it)

MIN_COVER_S = 60
MAX_COVER_S = 3600


@dataclass(frozen=True)
class StationCoverage:
    rules: tuple[CoverageRule, ...]
    station_at: dict[Hashable, str]
    """Road node -> code of the station there (the first, if two share a node)."""


def station_coverage(*, session: Session, travel: TravelTimes, within_s_by_type: Mapping[str, int]) -> StationCoverage:
    """Build one coverage rule per unit type: within that many seconds of every station of its agency kind.

    Raises:
        InvalidInput: a name that is not a unit type, or a time outside 60..3600 s (`coverage.<type>`).
    """
    rules = []
    station_at: dict[Hashable, str] = {}
    for unit_type, within_s in within_s_by_type.items():
        if unit_type not in UNIT_TYPES:
            raise InvalidInput(f"coverage is kept by unit type; {unit_type!r} is not one", field=f"coverage.{unit_type}")
        if isinstance(within_s, bool) or not isinstance(within_s, int) or not MIN_COVER_S <= within_s <= MAX_COVER_S:
            raise InvalidInput(f"coverage time must be {MIN_COVER_S} to {MAX_COVER_S} s", field=f"coverage.{unit_type}")
        stations = session.scalars(
            select(Station).join(Agency, Agency.id == Station.agency_id)
            .where(Agency.kind == UNIT_TYPES[unit_type], Agency.is_active.is_(True)).order_by(Station.code)
        ).unique().all()
        if not stations:
            continue
        nodes = travel.nearest_nodes(points=[(s.longitude, s.latitude) for s in stations])
        for node, station in zip(nodes, stations):
            station_at.setdefault(node, station.code)
        unique_nodes = tuple(dict.fromkeys(nodes))
        rules.append(CoverageRule(need=unit_type, within_s=float(within_s), zones=unique_nodes,
                                  standby_nodes=unique_nodes))
    return StationCoverage(rules=tuple(rules), station_at=station_at)
