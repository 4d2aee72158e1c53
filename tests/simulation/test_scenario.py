"""Scenario files: what a planner writes, and the file:line messages when it is wrong."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simulation import load_scenario, scenario_from_text
from sop_engine import Severity, SopDefinitionError
from tests.simulation.conftest import SCENARIOS
from processes.cli import main


def test_the_shipped_example_scenarios_are_valid():
    """Every scenario shipped with the engine loads, with durations read in SOP notation."""
    mmc = load_scenario(SCENARIOS / "mmc.yaml")
    assert mmc.duration == 200 * 3600
    assert mmc.city.travel == "zero"
    assert load_scenario(SCENARIOS / "small-city.yaml").incidents[0].severity == {
        Severity.MODERATE: 0.7, Severity.SEVERE: 0.3}


def test_each_mistake_is_reported_at_its_line():
    """Unknown incident and unit types, a bad distribution and an unknown key each name their line."""
    text = """\
name: broken
duration: 2h
city:
  grid: {rows: 5, cols: 5}
  stations:
    - {id: a, at: [77.59, 12.97], units: {boat: 1}}
incidents:
  - type: fire
    rate_per_hour: 2
  - type: flood
    rate_per_hour: 1
    on_scene: {exponential: 5m, fixed: 2m}
colour: red
"""
    with pytest.raises(SopDefinitionError) as caught:
        scenario_from_text(text, source="broken.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("broken.yaml:6: ") and "unknown unit type 'boat'" in m for m in messages)
    assert any(m.startswith("broken.yaml:8: ") and "unknown incident type 'fire'" in m for m in messages)
    assert any(m.startswith("broken.yaml:12: ") and "exactly one of" in m for m in messages)
    assert any(m.startswith("broken.yaml:13: ") and "unknown key 'colour'" in m for m in messages)


def test_a_missing_sop_folder_is_reported_at_its_line(tmp_path):
    text = "name: x\nduration: 1h\nsops: nowhere\ncity:\n  grid: {rows: 3, cols: 3}\n" \
           "  stations: [{id: a, at: [77.59, 12.97], units: {ambulance: 1}}]\n"
    with pytest.raises(SopDefinitionError) as caught:
        scenario_from_text(text, source="s.yaml", base_dir=tmp_path)
    assert str(caught.value) == "s.yaml:3: sops: 'nowhere' is neither 'shipped' nor a folder"


def test_drill_validate_prints_file_line_and_fails(tmp_path, small_city_file):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nduration: -5\ncity:\n  grid: {rows: 3, cols: 3}\n"
                   "  stations: [{id: a, at: [77.59, 12.97], units: {ambulance: 1}}]\n", encoding="utf-8")
    runner = CliRunner()
    good = runner.invoke(main, ["drill", "validate", str(small_city_file)])
    assert good.exit_code == 0, good.output
    assert "ok (test-city" in good.output
    failed = runner.invoke(main, ["drill", "validate", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:2: duration:" in failed.output
