"""The centre's table of CAP geocodes: which area each code names.

National feeds often place an alert by code only (the NWS by UGC zone and SAME county, MeteoAlarm
by EMMA_ID, AEMET by its warning zones, a state by district code), with no polygon or circle. The
centre keeps the codes of its own areas in a file, CSV or GeoJSON, read once at start-up, so an
alert that names them can be placed; a mistake stops the start-up naming the file and the line (CSV)
or the feature (GeoJSON).

CSV: a header `value_name,value,wkt` (and optionally `name`), then one code a line, its area as WKT
in longitude latitude order (`POLYGON ((-118.6 34.2, ...))`). GeoJSON: a FeatureCollection whose
features carry `value_name` and `value` (one code, or a list of codes for the same area) in their
properties and a Polygon, MultiPolygon or Point geometry.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import shapely
from shapely import wkt
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from coordination.errors import InvalidInput

SETTING = "ICCC_CAP_GEOCODES"
_GEOMETRY_TYPES = ("Polygon", "MultiPolygon", "Point")


def geocode_key(value_name: str, value: str) -> tuple[str, str]:
    """valueNames are compared without case (`UGC`, `ugc`), values as written."""
    return value_name.strip().casefold(), value.strip()


@dataclass(frozen=True)
class GeocodeTable:
    areas: Mapping[tuple[str, str], BaseGeometry] = field(default_factory=lambda: MappingProxyType({}))

    def area_of(self, value_name: str, value: str) -> BaseGeometry | None:
        return self.areas.get(geocode_key(value_name, value))

    def __len__(self) -> int:
        return len(self.areas)


def load_geocodes(path: Path) -> GeocodeTable:
    """Read a table of codes (`.csv`, or GeoJSON `.geojson` / `.json`).

    Raises:
        InvalidInput: naming the setting, the file and the line (CSV, unreadable JSON) or the feature.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(f"{path}: cannot be read: {error}") from None
    areas = _from_csv(path, text) if path.suffix.lower() == ".csv" else _from_geojson(path, text)
    if not areas:
        raise _problem(f"{path}: holds no code")
    return GeocodeTable(MappingProxyType(areas))


def _from_csv(path: Path, text: str) -> dict[tuple[str, str], BaseGeometry]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"value_name", "value", "wkt"} - set(reader.fieldnames or ())
    if missing:
        raise _problem(f"{path}:1: the header must name value_name, value and wkt (missing {', '.join(sorted(missing))})")
    areas: dict[tuple[str, str], BaseGeometry] = {}
    lines: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        value_name, value = (row.get("value_name") or "").strip(), (row.get("value") or "").strip()
        if not value_name or not value:
            raise _problem(f"{path}:{line}: value_name and value must both be given")
        try:
            geometry = wkt.loads(row.get("wkt") or "")
        except shapely.errors.ShapelyError as error:
            raise _problem(f"{path}:{line}: wkt is not a WKT geometry: {error}") from None
        _add(areas, lines, geocode_key(value_name, value), geometry, where=f"{path}:{line}")
    return areas


def _from_geojson(path: Path, text: str) -> dict[tuple[str, str], BaseGeometry]:
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as error:
        raise _problem(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" or not isinstance(
            collection.get("features"), list):
        raise _problem(f"{path}: not a GeoJSON FeatureCollection")
    areas: dict[tuple[str, str], BaseGeometry] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, feature in enumerate(collection["features"]):
        where = f"{path}: feature {index}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise _problem(f"{where}: not a GeoJSON Feature with properties")
        value_name, values = properties.get("value_name"), properties.get("value")
        values = values if isinstance(values, list) else [values]
        if not isinstance(value_name, str) or not value_name.strip() or not all(
                isinstance(value, (str, int)) and str(value).strip() for value in values):
            raise _problem(f"{where}: properties value_name (text) and value (a code or a list of codes) are needed")
        geometry = _geometry(feature.get("geometry"), where)
        for value in values:
            _add(areas, seen, geocode_key(value_name, str(value)), geometry, where=where)
    return areas


def _geometry(raw: Any, where: str) -> BaseGeometry:
    if not isinstance(raw, dict) or raw.get("type") not in _GEOMETRY_TYPES:
        raise _problem(f"{where}: the geometry must be a Polygon, MultiPolygon or Point")
    try:
        return shape(raw)
    except Exception as error:  # noqa: BLE001 - shapely raises several types for malformed coordinates
        raise _problem(f"{where}: the coordinates do not make a {raw['type']}: {error}") from None


def _add(areas: dict, seen: dict, key: tuple[str, str], geometry: BaseGeometry, *, where: str) -> None:
    if geometry.is_empty or geometry.geom_type not in _GEOMETRY_TYPES:
        raise _problem(f"{where}: the area must be a Polygon, MultiPolygon or Point, not {geometry.geom_type}")
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise _problem(f"{where}: coordinates must be longitude latitude on the Earth")
    if not geometry.is_valid:
        geometry = geometry.buffer(0)  # a self-touching district boundary is still that district
    if key in seen:
        raise _problem(f"{where}: the code {key[0]} {key[1]} is given twice (also at {seen[key]})")
    seen[key] = where
    areas[key] = geometry


def _problem(message: str) -> InvalidInput:
    return InvalidInput(f"{SETTING}: {message}", field=SETTING)
