"""GeoJSON values the API takes (RFC 7946): a point is [longitude, latitude].

Kept apart from incidents so that services below the SOP runs (dispatch) can take points too
without importing the incident service, which imports the runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from coordination.errors import InvalidInput

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]


class GeoPoint(BaseModel):
    """A GeoJSON Point (RFC 7946): coordinates are [longitude, latitude]."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: tuple[Longitude, Latitude]


@dataclass(frozen=True)
class FeatureProblem:
    """What is wrong with one feature of an imported FeatureCollection (index -1: the whole file)."""

    index: int
    """The feature's position in `features`, from 0."""
    reason: str

    def __str__(self) -> str:
        return f"feature {self.index}: {self.reason}"


class FeatureCollectionRejected(InvalidInput):
    """An imported collection has bad features; `problems` lists every one. Nothing was imported."""

    def __init__(self, problems: list[FeatureProblem]):
        super().__init__(f"{len(problems)} bad feature(s); nothing imported: " + "; ".join(map(str, problems[:5])),
                         field="features")
        self.problems = problems


def features_of(text: str, rejection: type[FeatureCollectionRejected] = FeatureCollectionRejected) -> list[Any]:
    """The features of a GeoJSON FeatureCollection given as text.

    Raises:
        FeatureCollectionRejected (or `rejection`): not JSON, or not a FeatureCollection.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise rejection([FeatureProblem(-1, f"not JSON: {error.msg} at line {error.lineno}")]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise rejection([FeatureProblem(-1, "not a GeoJSON FeatureCollection with a `features` list")])
    return document["features"]
