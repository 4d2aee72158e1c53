"""What a gauge reads during rain: its normal level plus each event's rise, peak and recession.

Pure: a sensor, the events and a time in, a level out. A rain event raises the gauges of its
kind that lie within `within_m` of its line (a drain, upstream end first), each following the
same trapezoid (a linear rise to the peak, a hold, a linear recession), the further down the
line, the later: the water takes `lag_per_km` to run each kilometre. Overlapping events add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.scenario_base import Point
from simulation.scenario_readings import Rain, ReadingEvent, SensorSpec

METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180
"""Along a meridian (the mean Earth radius, as `coordination.routing.haversine_m`)."""


@dataclass(frozen=True)
class Response:
    """One gauge's answer to one event: when its rise starts (s), how long each part lasts, and by how much."""

    start_s: float
    rise_s: float
    hold_s: float
    recession_s: float
    raise_by: float

    def at(self, at_s: float) -> float:
        """How far above its normal level the event holds the gauge at `at_s`."""
        t = at_s - self.start_s
        if t <= 0:
            return 0.0
        if t < self.rise_s:
            return self.raise_by * t / self.rise_s
        t -= self.rise_s
        if t <= self.hold_s:
            return self.raise_by
        t -= self.hold_s
        if t < self.recession_s:
            return self.raise_by * (1 - t / self.recession_s)
        return 0.0


def place_on_line(point: Point, line: list[Point]) -> tuple[float, float]:
    """(distance from the line, distance along it from its first point to the nearest place on it), in metres.

    Local flat coordinates about the line's first point: a drain is kilometres long, where the
    flat-earth error is centimetres.
    """
    lon0, lat0 = line[0]
    east = METRES_PER_DEGREE * math.cos(math.radians(lat0))

    def flat(p: Point) -> tuple[float, float]:
        return (p[0] - lon0) * east, (p[1] - lat0) * METRES_PER_DEGREE

    px, py = flat(point)
    best, chainage, walked = math.inf, 0.0, 0.0
    for a, b in zip(line, line[1:]):
        (ax, ay), (bx, by) = flat(a), flat(b)
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        share = 0.0 if length == 0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / length ** 2))
        distance = math.hypot(px - (ax + share * dx), py - (ay + share * dy))
        if distance < best:
            best, chainage = distance, walked + share * length
        walked += length
    return best, chainage


def response_to(sensor: SensorSpec, rain: Rain) -> Response | None:
    """How `sensor` answers `rain`; None when the rain leaves it alone (another kind, too far from the line)."""
    if sensor.kind != rain.kind:
        return None
    distance_m, along_m = place_on_line(sensor.at, rain.along)
    if distance_m > rain.within_m:
        return None
    return Response(rain.at + rain.lag_per_km * along_m / 1000, rain.rise, rain.hold, rain.recession,
                    rain.peak - sensor.normal)


def responses_of(sensor: SensorSpec, events: list[ReadingEvent]) -> tuple[Response, ...]:
    """Every event's effect on the sensor, worked out once before the drill runs."""
    return tuple(response for event in events if (response := response_to(sensor, event.rain)) is not None)


def level_at(sensor: SensorSpec, responses: tuple[Response, ...], at_s: float) -> float:
    """The sensor's true level at `at_s` (seconds since the drill started), before noise."""
    return sensor.normal + sum(response.at(at_s) for response in responses)
