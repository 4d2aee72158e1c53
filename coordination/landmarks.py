"""A city's own landmarks for the gazetteer, from a GeoJSON file the centre keeps.

The demo city ships a dozen; a real city names its hospitals, markets, temples, schools and
junctions the way its callers do ("near Forum Mall"). The file is a FeatureCollection of Points,
each with a `name` (and, optionally, `aliases`: other names people use for it). It is read once at
start-up, so a mistake stops the start with the feature it is in, not the first declaration.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from coordination.errors import InvalidInput
from coordination.incidents import PLACE_NAME_MAX_LENGTH

SETTING = "ICCC_LANDMARKS"
MAX_NAME_LENGTH = PLACE_NAME_MAX_LENGTH
"""A landmark's name becomes the place name of an incident declared there."""

Landmark = tuple[str, float, float]
"""(name, longitude, latitude), as the gazetteer takes them."""


def load_landmarks(path: Path) -> tuple[Landmark, ...]:
    """Every landmark (and alias) in the file, in its order.

    Raises:
        InvalidInput: naming the setting, with the file and the line (unreadable JSON) or the
            feature (a missing name, a point that is not one, a name given twice).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(f"{path}: cannot be read: {error}") from None
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as error:
        raise _problem(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" or not isinstance(
            collection.get("features"), list):
        raise _problem(f"{path}: not a GeoJSON FeatureCollection")
    landmarks: list[Landmark] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(collection["features"]):
        for name, longitude, latitude in _landmarks_of(feature, where=f"{path}: feature {index}"):
            key = " ".join(name.lower().split())
            if key in seen:
                raise _problem(f"{path}: feature {index}: the name {name!r} is also feature {seen[key]}'s")
            seen[key] = index
            landmarks.append((name, longitude, latitude))
    return tuple(landmarks)


def _landmarks_of(feature: Any, *, where: str) -> list[Landmark]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _problem(f"{where}: not a GeoJSON Feature")
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if geometry.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2 or not all(
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            for value in coordinates[:2]):
        raise _problem(f"{where}: the geometry must be a Point [longitude, latitude]")
    longitude, latitude = float(coordinates[0]), float(coordinates[1])
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise _problem(f"{where}: [{longitude}, {latitude}] is not [longitude, latitude] on the Earth")
    properties = feature.get("properties") or {}
    aliases = properties.get("aliases") or [] if isinstance(properties, dict) else []
    if not isinstance(aliases, list):
        raise _problem(f"{where}: aliases must be a list of names")
    names = [properties.get("name") if isinstance(properties, dict) else None, *aliases]
    for name in names:
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
            raise _problem(f"{where}: each name (and alias) is text of 1 to {MAX_NAME_LENGTH} characters")
    return [(name.strip(), longitude, latitude) for name in names]


def _problem(message: str) -> InvalidInput:
    return InvalidInput(f"{SETTING}: {message}", field=SETTING)
