"""Live drills: a scenario's incidents declared against a running server in accelerated real time.

The console then shows a living city: the server's own SOPs, agencies (the demo's receivers or
real test endpoints) and duty officer handle each incident as they would a real one. Every
incident is declared with `is_exercise: true`. Only the incident stream comes from the
scenario; agency behaviour and units are whatever the server has.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import httpx
import numpy as np
import structlog

from simulation import Scenario
from simulation.arrivals import Arrival, draw_arrivals
from simulation.city import build_city
from simulation.draws import Draws

log = structlog.get_logger("iccc.demo")


def live_arrivals(scenario: Scenario) -> list[Arrival]:
    """The scenario's generated and scripted incidents for its seed, in time order."""
    city = build_city(scenario)
    return draw_arrivals(scenario=scenario, bounds=city.bounds, draws=Draws(np.random.default_rng(scenario.seed)))


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


class _Stopped(Exception):
    """The live drill was asked to stop while waiting for its next incident."""


class LiveDrill:
    """`iccc demo --drill`: a scenario's incidents declared against the demo's own server, in a
    background thread, at `speed` simulated seconds per wall second (every one an exercise)."""

    def __init__(self, *, api_base: str, token: str, scenario: Scenario, speed: float):
        self._api_base, self._token, self._speed = api_base, token, speed
        self._arrivals = live_arrivals(scenario)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-drill", daemon=True)
        self.declared = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    def _declared(self, arrival: Arrival, response: httpx.Response) -> None:
        self.declared += 1
        log.info("demo.drill_incident", type=arrival.incident_type, at_s=round(arrival.at_s),
                 status=response.status_code)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        with httpx.Client(base_url=self._api_base, headers=headers, timeout=10, trust_env=False) as client:
            try:
                declare_live(client=client, arrivals=self._arrivals, speed=self._speed, sleep=self._sleep,
                             on_declared=self._declared)
            except _Stopped:
                return
            except httpx.HTTPError as error:
                log.warning("demo.drill_failed", error=type(error).__name__)
                return
        log.info("demo.drill_finished", declared=self.declared)
