"""GeoJSON values the API takes (RFC 7946): a point is [longitude, latitude].

Kept apart from incidents so that services below the SOP runs (dispatch) can take points too
without importing the incident service, which imports the runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]


class GeoPoint(BaseModel):
    """A GeoJSON Point (RFC 7946): coordinates are [longitude, latitude]."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: tuple[Longitude, Latitude]
