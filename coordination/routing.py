"""Which agency takes a task: pure, given the agencies of the task's role and the incident's place.

An agency whose jurisdiction (a GeoJSON Polygon or MultiPolygon) covers the point takes the task;
where several do, the overlap rule decides (`primary`: the lowest priority, then the lowest code;
`all`: every one of them). An agency without a jurisdiction covers the whole city and takes the
task only where no jurisdiction does. Where nobody covers the point, the nearest jurisdiction's
agency takes it, and the decision says so, so that the shell can alert the duty officer.

Jurisdictions sit in a shapely STRtree, so a lookup among thousands of polygons touches only the
few whose bounding boxes hold the point.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Sequence

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

EARTH_RADIUS_M = 6_371_008.8


class OverlapRule(str, Enum):
    PRIMARY = "primary"
    """One agency: the lowest priority number, then the lowest code (never storage order)."""
    ALL = "all"
    """Every agency whose jurisdiction covers the point gets its own task."""


class RoutingBasis(str, Enum):
    JURISDICTION = "jurisdiction"
    CITYWIDE = "citywide"
    NEAREST = "nearest"
    """No jurisdiction covers the point: the nearest one was taken; the duty officer must know."""
    NOBODY = "nobody"


@dataclass(frozen=True)
class AgencyArea:
    """An agency as routing sees it: who, and the area it covers (None: the whole city)."""

    agency_id: uuid.UUID
    code: str
    area: BaseGeometry | None
    priority: int = 100

    @classmethod
    def from_geojson(cls, agency_id: uuid.UUID, code: str, geometry: dict[str, Any] | None,
                     priority: int = 100) -> AgencyArea:
        return cls(agency_id, code, shape(geometry) if geometry else None, priority)


@dataclass(frozen=True)
class RoutingDecision:
    agencies: tuple[AgencyArea, ...]
    """Primary first; empty when the role has no agency at all."""
    basis: RoutingBasis
    distance_m: float | None = None
    """For the nearest-agency fallback: how far the point lies outside that jurisdiction."""


def _rank(agency: AgencyArea) -> tuple[int, str]:
    return (agency.priority, agency.code)


class JurisdictionIndex:
    """The agencies of one role, with their jurisdictions in a spatial index. Build once, query often."""

    def __init__(self, agencies: Iterable[AgencyArea]):
        agencies = list(agencies)
        self._local = [agency for agency in agencies if agency.area is not None]
        self._citywide = sorted((agency for agency in agencies if agency.area is None), key=_rank)
        self._tree = STRtree([agency.area for agency in self._local]) if self._local else None

    def __len__(self) -> int:
        return len(self._local) + len(self._citywide)

    def route(self, *, longitude: float, latitude: float, overlap: OverlapRule = OverlapRule.PRIMARY
              ) -> RoutingDecision:
        """Decide who takes a task at (longitude, latitude)."""
        point = Point(longitude, latitude)
        if self._tree is not None:
            hits = self._tree.query(point, predicate="intersects")
            covering = sorted((self._local[index] for index in hits), key=_rank)
            if covering:
                chosen = covering if overlap is OverlapRule.ALL else covering[:1]
                return RoutingDecision(tuple(chosen), RoutingBasis.JURISDICTION)
        if self._citywide:
            chosen = self._citywide if overlap is OverlapRule.ALL else self._citywide[:1]
            return RoutingDecision(tuple(chosen), RoutingBasis.CITYWIDE)
        if self._tree is None:
            return RoutingDecision((), RoutingBasis.NOBODY)
        # Degrees are not metres, but over a city the nearest polygon in degrees is the nearest on
        # the ground; the distance reported is then measured properly.
        nearest_indices = self._tree.query_nearest(point, all_matches=True)
        nearest = min((self._local[index] for index in nearest_indices), key=_rank)
        return RoutingDecision((nearest,), RoutingBasis.NEAREST, _distance_to_area_m(point, nearest.area))


def responsible_agencies(
    candidates: Sequence[AgencyArea], *, longitude: float, latitude: float,
    overlap: OverlapRule = OverlapRule.PRIMARY,
) -> list[AgencyArea]:
    """Return the agencies that take a task at this point, primary first (empty: nobody)."""
    return list(JurisdictionIndex(candidates).route(longitude=longitude, latitude=latitude, overlap=overlap).agencies)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _distance_to_area_m(point: Point, area: BaseGeometry) -> float:
    nearest = nearest_points(point, area)[1]
    return haversine_m(point.x, point.y, nearest.x, nearest.y)
