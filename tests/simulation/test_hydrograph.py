"""What a gauge reads during rain: a rise, a hold at the peak, a recession, later further down the drain."""

from __future__ import annotations

import pytest

from simulation.hydrograph import level_at, place_on_line, response_to, responses_of
from simulation.scenario_readings import Rain, ReadingEvent, SensorSpec

DRAIN = [(77.5900, 12.9660), (77.6000, 12.9660)]
"""About 1.08 km of drain running east."""


def gauge(lon: float, lat: float = 12.9660, *, kind: str = "water_level", normal: float = 0.2) -> SensorSpec:
    return SensorSpec(id="g", kind=kind, unit="m" if kind == "water_level" else "mm/h", at=(lon, lat),
                      interval=60, normal=normal)


def rain(**changes) -> Rain:
    values = {"at": 600, "along": DRAIN, "peak": 1.0, "rise": 600, "hold": 300, "recession": 1200} | changes
    return Rain(**values)


def test_a_gauge_on_the_drain_rises_holds_at_the_peak_and_recedes_to_normal():
    start = gauge(77.5900)
    responses = responses_of(start, [ReadingEvent(rain=rain())])
    at = [0, 600, 900, 1200, 1500, 2100, 2700, 4000]
    assert [round(level_at(start, responses, t), 6) for t in at] == [0.2, 0.2, 0.6, 1.0, 1.0, 0.6, 0.2, 0.2]


def test_the_water_reaches_a_gauge_further_down_the_drain_later():
    upstream, downstream = gauge(77.5900), gauge(77.6000)
    late = response_to(downstream, rain(lag_per_km=300))
    assert response_to(upstream, rain(lag_per_km=300)).start_s == 600
    assert late.start_s == pytest.approx(600 + 300 * 1.0847, abs=1)


def test_gauges_away_from_the_drain_or_of_another_kind_do_not_answer():
    assert response_to(gauge(77.5950, 12.9660 + 0.0010), rain(within_m=150)) is not None   # 111 m off
    assert response_to(gauge(77.5950, 12.9660 + 0.0020), rain(within_m=150)) is None       # 222 m off
    assert response_to(gauge(77.6100), rain(within_m=150)) is None                        # past the end
    assert response_to(gauge(77.5950, kind="rain_gauge"), rain()) is None


def test_overlapping_rain_adds_up():
    station = gauge(77.5950)
    responses = responses_of(station, [ReadingEvent(rain=rain()), ReadingEvent(rain=rain(at=900, peak=0.5))])
    assert level_at(station, responses, 1200) == pytest.approx(0.2 + 0.8 + 0.3 / 2)  # the second halfway up


def test_a_place_is_measured_from_the_line_and_along_it():
    off_m, along_m = place_on_line((77.5950, 12.9669), DRAIN)
    assert off_m == pytest.approx(100, rel=0.01)
    assert along_m == pytest.approx(542, rel=0.01)
