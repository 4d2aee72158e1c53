"""GeoJSON values the API takes (RFC 7946): a point is [longitude, latitude].

Kept apart from incidents so that services below the SOP runs (dispatch) can take points too
without importing the incident service, which imports the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from coordination.errors import InvalidInput
from coordination.input_limits import MalformedJson, load_json

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
        FeatureCollectionRejected (or `rejection`): not JSON, not a FeatureCollection, or holding
            what no database stores (`coordination.input_limits`).
    """
    try:
        document = load_json(text)
    except MalformedJson as error:
        raise rejection([FeatureProblem(-1, str(error))]) from None
    except InvalidInput as error:
        raise rejection([FeatureProblem(_feature_index(error.field), str(error))]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise rejection([FeatureProblem(-1, "not a GeoJSON FeatureCollection with a `features` list")])
    return document["features"]


def _feature_index(field: str) -> int:
    """The feature a field path (`features.3.properties.name`) lies in, or -1 for the collection."""
    parts = field.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[0] == "features" and parts[1].isdigit() else -1
