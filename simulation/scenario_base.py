"""What every part of a scenario file shares: strict frozen models and places as [longitude, latitude]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

Point = tuple[float, float]


def check_point(value: Point) -> Point:
    lon, lat = value
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("a place is [longitude, latitude] in degrees")
    return value


class Strict(BaseModel):
    """Unknown keys are mistakes (reported at their line), and a loaded scenario never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
