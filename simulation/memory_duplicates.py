"""The duplicate check of a report in memory: what `coordination.duplicates.open_duplicate_of`
asks the database, asked of the runtime world's incidents with the same policy.

A trigger rule's episode can clear and raise again while the water is still up (a gauge's noise
dipping under its mark for one reading); live, the second report is linked to the open flood by
this check, not declared as another, and so it must be in a drill, or drills count floods twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from coordination.duplicates import DuplicatePolicy
from coordination.lifecycles import IncidentStatus
from coordination.routing import haversine_m


class Candidate(Protocol):
    key: int
    incident_type: str
    lon: float
    lat: float
    status: IncidentStatus
    declared_at: datetime


def open_duplicate(incidents: Iterable[Candidate], *, incident_type: str, lon: float, lat: float, now: datetime,
                   policy: DuplicatePolicy) -> Candidate | None:
    """The nearest open incident of the type declared within the policy's window and distance (ties:
    the earliest declared), or None."""
    since = now - policy.window
    scored = [(distance, incident.declared_at, incident.key, incident) for incident in incidents
              if incident.incident_type == incident_type and incident.status is IncidentStatus.OPEN
              and incident.declared_at >= since
              and (distance := haversine_m(lon, lat, incident.lon, incident.lat)) <= policy.distance_m]
    return min(scored, key=lambda item: item[:3])[3] if scored else None
