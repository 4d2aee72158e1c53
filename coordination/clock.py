"""Time as a parameter. Nothing in `coordination` reads the wall clock: the server passes a wall
clock in, drills pass SimPy's simulated time, tests pass a `ManualClock`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class ManualClock:
    """A clock that moves only when told to: for tests and for stepping through a scenario."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")

    def now(self) -> datetime:
        return self._now

    def advance(self, *, seconds: float = 0, minutes: float = 0) -> datetime:
        self._now += timedelta(seconds=seconds, minutes=minutes)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
