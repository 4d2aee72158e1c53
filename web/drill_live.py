"""Live drills: a scenario's incidents declared against a running server in accelerated real time.

The console then shows a living city: the server's own SOPs, agencies (the demo's receivers or
real test endpoints) and duty officer handle each incident as they would a real one. Every
incident is declared with `is_exercise: true`. Only the incident stream comes from the
scenario; agency behaviour and units are whatever the server has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx
import numpy as np

from simulation import Scenario
from simulation.arrivals import Arrival, draw_arrivals
from simulation.city import build_city


def live_arrivals(scenario: Scenario) -> list[Arrival]:
    """The scenario's generated and scripted incidents for its seed, in time order."""
    city = build_city(scenario)
    return draw_arrivals(scenario=scenario, bounds=city.bounds, rng=np.random.default_rng(scenario.seed))


def declare_live(*, client: httpx.Client, arrivals: Sequence[Arrival], speed: float,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
                 on_declared: Callable[[Arrival, httpx.Response], None] = lambda arrival, response: None) -> int:
    """Declare each arrival at `at_s / speed` wall seconds from now; return how many the server took.

    Raises:
        ValueError: `speed` is not positive.
    """
    if speed <= 0:
        raise ValueError("speed must be more than zero")
    started, accepted = monotonic(), 0
    for arrival in arrivals:
        wait_s = started + arrival.at_s / speed - monotonic()
        if wait_s > 0:
            sleep(wait_s)
        response = client.post("/api/v1/incidents", json={
            "type": arrival.incident_type, "severity": arrival.severity.value, "is_exercise": True,
            "location": {"type": "Point", "coordinates": [round(arrival.lon, 6), round(arrival.lat, 6)]},
            "description": f"Drill ({arrival.origin}): {arrival.incident_type.replace('_', ' ')}",
            "reporter": {"name": "drill"},
        })
        accepted += response.status_code in (200, 201)  # 200: linked to an open incident as a duplicate report
        on_declared(arrival, response)
    return accepted
