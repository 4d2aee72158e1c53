"""SimPy's `env.now` as the `coordination.Clock` the production services read."""

from __future__ import annotations

from datetime import datetime, timedelta

import simpy

_MICROSECOND = timedelta(microseconds=1)


class SimClock:
    """Simulated time: the scenario's start plus `env.now` seconds, to the microsecond.

    Rounding to whole microseconds (what the database keeps) makes `at_s(clock.now())` give back
    the SimPy time exactly, so a wake-up scheduled at a timer's `due_at` finds it due.
    """

    def __init__(self, env: simpy.Environment, start: datetime):
        if start.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware start")
        self.env = env
        self.start = start
        self._at_s = -1.0
        self._now = start

    def now(self) -> datetime:
        # Many calls share one instant (an event and everything it causes): build the datetime once.
        at_s = self.env.now
        if at_s != self._at_s:
            self._at_s, self._now = at_s, self.start + timedelta(microseconds=round(at_s * 1_000_000))
        return self._now

    def at_s(self, moment: datetime) -> float:
        """Seconds since the start of the drill of a stored (possibly naive UTC) time."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.start.tzinfo)
        # Whole microseconds (floor division of timedeltas is exact), then seconds: a third of
        # the cost of dividing two timedeltas as floats, for the same value.
        return (moment - self.start) // _MICROSECOND / 1_000_000
