"""Jurisdictions: GeoJSON polygons (police-station limits, feeder areas, water zones, wards, fire
grounds), checked before they are stored so that routing never meets a broken one."""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity

from coordination.errors import InvalidInput

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def checked_jurisdiction(geometry: Any, *, field: str = "jurisdiction") -> dict[str, Any]:
    """Return `geometry` if it is a valid GeoJSON Polygon or MultiPolygon in longitude/latitude.

    Raises:
        InvalidInput: naming `field`, with the reason (wrong type, bad coordinates, self-crossing).
    """
    if not isinstance(geometry, dict):
        raise InvalidInput("a jurisdiction must be a GeoJSON geometry object", field=field)
    if geometry.get("type") not in POLYGON_TYPES:
        raise InvalidInput(f"a jurisdiction must be a Polygon or MultiPolygon, not {geometry.get('type')!r}",
                           field=f"{field}.type")
    try:
        area = shape(geometry)
    except Exception as error:  # noqa: BLE001 - shapely raises several types for malformed coordinates
        raise InvalidInput(f"the coordinates do not make a {geometry['type']}: {error}",
                           field=f"{field}.coordinates") from None
    if area.is_empty:
        raise InvalidInput("the jurisdiction is empty", field=f"{field}.coordinates")
    min_x, min_y, max_x, max_y = area.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise InvalidInput("coordinates must be [longitude, latitude] within range", field=f"{field}.coordinates")
    if not area.is_valid:
        raise InvalidInput(f"the polygon is not valid: {explain_validity(area)}", field=f"{field}.coordinates")
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}
