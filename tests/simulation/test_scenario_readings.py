"""A scenario's gauges, rain and trigger rules: what a planner writes, and the file:line messages when it is wrong."""

from __future__ import annotations

import pytest

from simulation import scenario_from_text
from simulation.scenario_readings import trigger_rules
from sop_engine import SopDefinitionError

CITY = """\
name: rain
duration: 1h
city:
  grid: {rows: 3, cols: 3}
  stations: [{id: a, at: [77.59, 12.97], units: {ambulance: 1}}]
"""

DRAINS = """\
readings:
  rules: [drains-flood]
  sensors:
    - {id: drain-01, kind: water_level, unit: m, at: [77.590, 12.966], interval: 1m, normal: 0.15, noise: 0.02}
    - {id: drain-02, kind: water_level, unit: m, at: [77.594, 12.966], interval: 90s, normal: 0.1}
  events:
    - rain: {at: 10m, along: [[77.589, 12.966], [77.596, 12.966]], peak: 0.9, rise: 15m, recession: 30m}
"""


def problems(text: str, tmp_path=None) -> list[str]:
    with pytest.raises(SopDefinitionError) as caught:
        scenario_from_text(CITY + text, source="s.yaml", base_dir=tmp_path or ".")
    return [str(problem) for problem in caught.value.problems]


def test_sensors_rain_and_rules_are_read_with_durations_in_sop_notation():
    scenario = scenario_from_text(CITY + DRAINS)
    readings = scenario.readings
    assert [(s.id, s.interval, s.normal, s.noise) for s in readings.sensors] == [
        ("drain-01", 60.0, 0.15, 0.02), ("drain-02", 90.0, 0.1, 0.0)]
    rain = readings.events[0].rain
    assert (rain.at, rain.rise, rain.hold, rain.recession, rain.kind, rain.within_m) == (
        600.0, 900.0, 0.0, 1800.0, "water_level", 250.0)
    assert [str(rule.ref) for rule in trigger_rules(readings, ".")] == ["drains-flood@v2"]


def test_a_rule_file_beside_the_scenario_is_loaded_as_iccc_rules_loads_it(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "deep.yaml").write_text("""\
id: deep-drain
version: 3
title: One drain very deep
sensors: {kind: water_level, unit: m}
threshold: {above: 1.2, clear_at: 0.8}
declare: {incident_type: waterlogging, severity: moderate}
""", encoding="utf-8")
    scenario = scenario_from_text(CITY + DRAINS.replace("[drains-flood]", "[drains-flood, rules/deep.yaml]"),
                                  base_dir=tmp_path)
    assert [str(rule.ref) for rule in trigger_rules(scenario.readings, tmp_path)] == [
        "drains-flood@v2", "deep-drain@v3"]


def test_an_invalid_rule_file_reports_its_own_lines(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\nversion: 1\ntitle: x\nsensors: {kind: water_level, unit: m}\n"
                                       "threshold: {above: 1, clear_at: 2}\ndeclare: {incident_type: flood}\n",
                                       encoding="utf-8")
    said = problems(DRAINS.replace("[drains-flood]", "[bad.yaml]"), tmp_path)
    assert said and all(m.startswith(f"{tmp_path / 'bad.yaml'}:") for m in said)


def test_unknown_rules_and_missing_files_are_reported_at_their_line(tmp_path):
    said = problems(DRAINS.replace("[drains-flood]", "[drains-flod, nowhere.yaml]"), tmp_path)
    assert len(said) == 2
    assert said[0].startswith("s.yaml:7: readings.rules: 'drains-flod' is neither a shipped rule (")
    assert said[1] == "s.yaml:7: readings.rules: no rule file 'nowhere.yaml'"


def test_a_rule_that_watches_none_of_the_sensors_is_a_mistake():
    said = problems(DRAINS.replace("[drains-flood]", "[drains-flood, heavy-rain]"))
    assert said == ["s.yaml:7: readings.rules: heavy-rain@v1 watches rain_gauge sensors in mm/h, and the "
                    "scenario has none it watches"]


def test_a_rain_that_raises_no_gauge_is_a_mistake():
    said = problems(DRAINS.replace("along: [[77.589, 12.966], [77.596, 12.966]]",
                                   "along: [[77.589, 12.990], [77.596, 12.990]]"))
    assert said == ["s.yaml:12: readings.events: the rain raises no sensor (none of kind water_level within "
                    "250 m of its line)"]


@pytest.mark.parametrize(("sensor", "message"), [
    ("{id: d, kind: drain, unit: m, at: [77.59, 12.97], interval: 1m}", "unknown sensor kind 'drain'"),
    ("{id: d, kind: water_level, unit: mm/h, at: [77.59, 12.97], interval: 1m}", "not 'mm/h'"),
    ("{id: d, kind: water_level, unit: m, at: [77.59, 12.97], interval: 0.5}", "at most once a second"),
    ("{id: d, kind: rain_gauge, unit: mm/h, at: [77.59, 12.97], interval: 1m, normal: -3}", "outside what"),
])
def test_each_sensor_mistake_names_the_sensor_line(sensor, message):
    said = problems(f"readings:\n  sensors:\n    - {sensor}\n")
    assert len(said) == 1 and said[0].startswith("s.yaml:8: ") and message in said[0]


def test_two_sensors_with_one_id_are_refused():
    said = problems(DRAINS.replace("id: drain-02", "id: drain-01"))
    assert len(said) == 1 and "two sensors share an id" in said[0]
