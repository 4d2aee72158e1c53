"""What happens in a drill: generated incidents (Poisson, daily profile, hotspots, severity mix)
and scripted ones, drawn up front from one seeded generator so a replication is reproducible.

Generated streams are non-homogeneous Poisson processes sampled by thinning: candidate times at
the profile's peak rate, each kept with probability rate(t) / peak (Lewis and Shedler, 1979).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.draws import Draws
from simulation.scenario import Generator, Hotspot, Scenario
from sop_engine import Severity

_EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Arrival:
    """One incident to declare: when (seconds into the drill), what, how bad and where."""

    at_s: float
    incident_type: str
    severity: Severity
    lon: float
    lat: float
    origin: str
    """`generated`, `scripted`, `cascade` or `logged` (replayed from an incident log)."""
    response: tuple[tuple[str, int], ...] | None = None
    """Units to send at declaration; None: the generator's `response` for this type."""
    dispatch_delay_s: float = 0.0
    """Call processing before those units are requested (a replayed log's received-to-dispatch)."""


def draw_arrivals(*, scenario: Scenario, bounds: tuple[float, float, float, float],
                  draws: Draws) -> list[Arrival]:
    """Every generated and scripted incident of one replication, in time order."""
    arrivals = [
        Arrival(s.at, s.type, s.severity, s.place[0], s.place[1], "scripted")
        for s in scenario.scripted if s.at < scenario.duration
    ]
    start_hour = scenario.start.hour + scenario.start.minute / 60
    for generator in scenario.incidents:
        for at_s in _poisson_times(generator, duration_s=scenario.duration, start_hour=start_hour, draws=draws):
            lon, lat = _place(generator, bounds=bounds, draws=draws)
            arrivals.append(Arrival(at_s, generator.type, _severity(generator, draws), lon, lat, "generated"))
    arrivals.sort(key=lambda a: (a.at_s, a.incident_type, a.origin))
    return arrivals


def _poisson_times(generator: Generator, *, duration_s: float, start_hour: float,
                   draws: Draws) -> list[float]:
    profile = generator.daily_profile or (1.0,) * 24
    peak = max(profile)
    peak_per_s = generator.rate_per_hour * peak / 3600
    if peak_per_s <= 0:
        return []
    times, t = [], 0.0
    while True:
        t += draws.exponential(1 / peak_per_s)
        if t >= duration_s:
            return times
        hour = int((start_hour + t / 3600) % 24)
        if draws.random() * peak < profile[hour]:
            times.append(t)


def _severity(generator: Generator, draws: Draws) -> Severity:
    severities = list(generator.severity)
    if len(severities) == 1:
        return severities[0]
    return severities[draws.pick([generator.severity[s] for s in severities])]


def _place(generator: Generator, *, bounds: tuple[float, float, float, float],
           draws: Draws) -> tuple[float, float]:
    """Anywhere in the city's bounding box, or near a hotspot (Gaussian, sd = radius / 2)."""
    pick = draws.pick([generator.uniform_weight] + [h.weight for h in generator.hotspots]) if generator.hotspots else 0
    if pick == 0:
        min_lon, min_lat, max_lon, max_lat = bounds
        return draws.uniform(min_lon, max_lon), draws.uniform(min_lat, max_lat)
    return _near(generator.hotspots[pick - 1], draws)


def _near(hotspot: Hotspot, draws: Draws) -> tuple[float, float]:
    lon, lat = hotspot.at
    dx_m, dy_m = draws.normal(0.0, hotspot.radius_m / 2), draws.normal(0.0, hotspot.radius_m / 2)
    metres_per_deg = math.pi * _EARTH_RADIUS_M / 180
    return (float(lon + dx_m / (metres_per_deg * math.cos(math.radians(lat)))),
            float(lat + dy_m / metres_per_deg))
