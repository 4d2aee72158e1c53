"""The public feed of incidents: what the public may know, and when.

No personal data (no reporter, no free-text description, no agency task detail); each location
snapped to the centre of a grid cell; each incident type published only after its delay (or
never, e.g. matters the police keep out of public view). Exercise incidents are never published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import InvalidInput
from coordination.representations import iso
from coordination.store.tables import Incident
from sop_engine import INCIDENT_TYPES

DEFAULT_DELAY = timedelta(minutes=15)  # time for the first responders to arrive before the crowds do
GRID_DEGREES = 0.01  # about 1.1 km: a neighbourhood, never a house


@dataclass(frozen=True)
class PublicationPolicy:
    default_delay: timedelta = DEFAULT_DELAY
    delays: dict[str, timedelta | None] = field(default_factory=dict)
    """Per incident type; None means never published."""
    grid_degrees: float = GRID_DEGREES

    def delay_for(self, incident_type: str) -> timedelta | None:
        return self.delays.get(incident_type, self.default_delay)


def parse_delays(text: str) -> tuple[timedelta, dict[str, timedelta | None]]:
    """Read `default=900,crowd_surge=never,road_accident=1800` (seconds, or `never`)."""
    default, delays = DEFAULT_DELAY, {}
    for item in (part.strip() for part in text.split(",") if part.strip()):
        name, _, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if name != "default" and name not in INCIDENT_TYPES:
            raise InvalidInput(f"ICCC_PUBLIC_DELAYS: unknown incident type {name!r}", field=name)
        if value == "never":
            if name == "default":
                raise InvalidInput("ICCC_PUBLIC_DELAYS: the default delay cannot be `never`", field=name)
            delays[name] = None
            continue
        if not value.isdigit():
            raise InvalidInput(f"ICCC_PUBLIC_DELAYS: {name} must be seconds or `never`", field=name)
        if name == "default":
            default = timedelta(seconds=int(value))
        else:
            delays[name] = timedelta(seconds=int(value))
    return default, delays


def snap(longitude: float, latitude: float, grid_degrees: float) -> tuple[float, float]:
    """The centre of the grid cell holding the point."""
    def centre(value: float) -> float:
        return round((math.floor(value / grid_degrees) + 0.5) * grid_degrees, 6)

    return centre(longitude), centre(latitude)


def published_incidents(session: Session, *, now: datetime, policy: PublicationPolicy, limit: int = 500
                        ) -> list[dict[str, Any]]:
    """The incidents the public may see now, newest first, without personal data."""
    shown_types = {kind: delay for kind in INCIDENT_TYPES if (delay := policy.delay_for(kind)) is not None}
    if not shown_types:
        return []
    earliest_delay = min(shown_types.values())
    incidents = session.scalars(
        select(Incident).where(Incident.is_exercise.is_(False), Incident.incident_type.in_(shown_types),
                               Incident.declared_at <= now - earliest_delay)
        .order_by(Incident.declared_at.desc(), Incident.id).limit(limit * 2)
    ).all()
    items = []
    for incident in incidents:
        if incident.declared_at > now - shown_types[incident.incident_type]:
            continue
        longitude, latitude = snap(incident.longitude, incident.latitude, policy.grid_degrees)
        items.append({
            "id": str(incident.id), "type": incident.incident_type, "severity": incident.severity.value,
            "status": incident.status.value,
            "declared_at": iso(incident.declared_at.replace(second=0, microsecond=0)),
            "location": {"type": "Point", "coordinates": [longitude, latitude]},
            "location_precision_m": round(policy.grid_degrees * 111_000 / 2),
        })
    return items[:limit]


def as_geojson(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The same items as a GeoJSON FeatureCollection (RFC 7946)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": item["id"], "geometry": item["location"],
         "properties": {key: value for key, value in item.items() if key != "location"}}
        for item in items
    ]}
