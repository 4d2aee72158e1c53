"""What the rule engine reads: one reading as rules see it, and a sensor as the staleness check
sees it. Plain frozen values; the shell builds them from the stored readings and the registry."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Observation(msgspec.Struct, frozen=True):
    """One validated reading of one sensor, with what rules need of the sensor beside it."""

    reading_id: str
    sensor_id: str
    kind: str
    value: float
    unit: str
    observed_at: datetime
    longitude: float
    latitude: float
    agency: str = ""
    """The code of the sensor's owning agency."""


class SensorStatus(msgspec.Struct, frozen=True):
    """A registered sensor and when it last reported, for the staleness check."""

    sensor_id: str
    kind: str
    interval_s: int
    """How often it is expected to report."""
    last_observed_at: datetime | None
    registered_at: datetime
    longitude: float
    latitude: float
    agency: str = ""


class Evidence(msgspec.Struct, frozen=True):
    """A reading kept as the reason for a firing (stored with it, shown on the incident page)."""

    reading_id: str
    sensor_id: str
    value: float
    unit: str
    observed_at: datetime
    longitude: float
    latitude: float

    @classmethod
    def of(cls, observation: Observation) -> Evidence:
        return cls(observation.reading_id, observation.sensor_id, observation.value, observation.unit,
                   observation.observed_at, observation.longitude, observation.latitude)
