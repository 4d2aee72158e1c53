"""The centre's territory: where an alert must touch for the centre to act on it.

National and international feeds carry alerts for everywhere; an alert for another state or
country must be recorded, never turned into a live incident here. The boundary is a GeoJSON file
(`ICCC_TERRITORY`: a Polygon or MultiPolygon, a Feature, or a FeatureCollection of them), read at
start-up; without one it is the union of the agencies' jurisdictions (see `intake`), and a centre
with neither has no boundary to test against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from coordination.errors import InvalidInput

SETTING = "ICCC_TERRITORY"


def load_territory(path: Path) -> BaseGeometry:
    """The boundary in the file, as one (multi)polygon.

    Raises:
        InvalidInput: naming the setting and the file, with the line (unreadable JSON) or the feature.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(f"{path}: cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise _problem(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        parts = [_polygonal(feature.get("geometry") if isinstance(feature, dict) else None, f"{path}: feature {index}")
                 for index, feature in enumerate(data["features"])]
    elif isinstance(data, dict) and data.get("type") == "Feature":
        parts = [_polygonal(data.get("geometry"), f"{path}: the feature")]
    else:
        parts = [_polygonal(data, str(path))]
    if not parts:
        raise _problem(f"{path}: holds no area")
    return unary_union(parts)


def territory_of(jurisdictions: Iterable[dict[str, Any]]) -> BaseGeometry | None:
    """The union of stored jurisdictions (already checked when stored), or None if there are none."""
    parts = [shape(geometry) for geometry in jurisdictions if geometry]
    return unary_union(parts) if parts else None


def _polygonal(raw: Any, where: str) -> BaseGeometry:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise _problem(f"{where}: the territory must be a Polygon or MultiPolygon")
    try:
        area = shape(raw)
    except Exception as error:  # noqa: BLE001 - shapely raises several types for malformed coordinates
        raise _problem(f"{where}: the coordinates do not make a {raw['type']}: {error}") from None
    min_x, min_y, max_x, max_y = area.bounds
    if area.is_empty or not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise _problem(f"{where}: coordinates must be [longitude, latitude] on the Earth")
    return area if area.is_valid else area.buffer(0)


def _problem(message: str) -> InvalidInput:
    return InvalidInput(f"{SETTING}: {message}", field=SETTING)
