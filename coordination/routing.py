"""Which agency takes a task: pure, given the agencies of the task's role and the incident's place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Sequence

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class AgencyArea:
    """An agency as routing sees it: who, and the area it covers (None: the whole city)."""

    agency_id: uuid.UUID
    code: str
    area: BaseGeometry | None

    @classmethod
    def from_geojson(cls, agency_id: uuid.UUID, code: str, geometry: dict[str, Any] | None) -> AgencyArea:
        return cls(agency_id, code, shape(geometry) if geometry else None)


def responsible_agencies(
    candidates: Sequence[AgencyArea], *, longitude: float, latitude: float
) -> list[AgencyArea]:
    """Return the agencies that take a task at this point, primary first (empty: nobody).

    An agency whose jurisdiction contains the point takes precedence over a city-wide one;
    among equals the lowest code is primary, so the answer never depends on storage order.
    Only the primary is returned until overlap rules are configurable per role.
    """
    point = Point(longitude, latitude)
    local = [agency for agency in candidates if agency.area is not None and agency.area.covers(point)]
    citywide = [agency for agency in candidates if agency.area is None]
    chosen = sorted(local or citywide, key=lambda agency: agency.code)
    return chosen[:1]
