"""Readings for the rules' shell tests: observations around the demo city's centre, at the clock's time."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from coordination import CITY_CENTRE
from coordination.rules import Observation

_IDS = count(1)


def observed(clock, sensor_id: str, value: float, *, kind: str = "water_level", unit: str = "m",
             east_m: float = 0.0, north_m: float = 0.0, ago_s: float = 0.0, agency: str = "municipal-corp"
             ) -> Observation:
    """A reading taken `ago_s` before the clock's time, `east_m`/`north_m` metres from the centre."""
    return Observation(f"reading-{next(_IDS)}", sensor_id, kind, value, unit, clock.now() - timedelta(seconds=ago_s),
                       CITY_CENTRE[0] + east_m / 108_500.0, CITY_CENTRE[1] + north_m / 111_200.0, agency)
