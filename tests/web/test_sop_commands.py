"""`iccc sop ...`: what an SOP author sees, with no database."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from processes.cli import main
from tests.sop_engine.test_validation import BASE

SCRIPT = """\
incident: {type: chemical_accident, severity: severe}
agencies:
  police: {acknowledge: 12m}
decisions: {decide: {choose: evacuate, after: 4m}}
until: 6h
"""


@pytest.fixture
def sop_file(tmp_path):
    path = tmp_path / "chemical.yaml"
    path.write_text(BASE)
    return path


def iccc(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_a_valid_sop_gets_a_one_line_summary_with_its_critical_path(sop_file):
    result = iccc("sop", "validate", sop_file)
    assert result.exit_code == 0
    assert result.output == (
        f"{sop_file}: chemical@v1 valid: 5 steps (3 tasks, 1 decision, 1 notify); critical path 3h15m of "
        "target 4h: contain -> decide -> evacuate -> clean_up\n"
    )


def test_every_file_is_checked_and_any_problem_fails_the_command(sop_file, tmp_path):
    too_slow = tmp_path / "slow.yaml"
    too_slow.write_text(BASE.replace("target: 4h", "target: 3h"))
    result = iccc("sop", "validate", sop_file, too_slow)
    assert result.exit_code == 1
    assert f"{sop_file}: chemical@v1 valid" in result.output
    assert (f"{too_slow}:5: critical path 3h15m exceeds the target 3h: contain (1h) -> decide (15m) -> "
            "evacuate (1h) -> clean_up (1h)") in result.output


def test_the_graph_is_drawn_as_svg_with_the_critical_path_marked(sop_file):
    result = iccc("sop", "graph", sop_file)
    assert result.exit_code == 0
    svg = ElementTree.fromstring(result.output)
    groups = svg.findall("{http://www.w3.org/2000/svg}g")
    assert len(groups) == 5
    critical = [group.get("id") for group in groups if "critical" in group.get("class")]
    assert critical == ["step-contain", "step-decide", "step-evacuate", "step-clean_up"]


@pytest.mark.parametrize(("output_format", "marker"), [("dot", '"contain" -> "decide" [color=red'),
                                                        ("mermaid", "classDef critical")])
def test_the_graph_is_also_drawn_as_dot_or_mermaid(sop_file, output_format, marker):
    result = iccc("sop", "graph", sop_file, "--format", output_format)
    assert result.exit_code == 0
    assert marker in result.output


def test_simulate_prints_the_timeline_of_tasks_deadlines_and_escalations(sop_file, tmp_path):
    script = tmp_path / "answers.yaml"
    script.write_text(SCRIPT)
    result = iccc("sop", "simulate", sop_file, "--script", script)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "+00:00:00 start       chemical@v1 for a severe chemical_accident"
    assert "+00:24:00 decided     decide: evacuate" in lines
    assert "+00:29:00 escalate    evacuate -> duty_officer (rung 1): not acknowledged within 5m" in lines
    assert "+00:24:00 skipped     stay: the branch decide == stay was not taken" in lines
    assert lines[-1] == "finished completed after 1h4m, within the target 4h"


def test_simulate_takes_the_incident_from_the_command_line(sop_file):
    result = iccc("sop", "simulate", sop_file, "--incident", "type=chemical_accident,severity=moderate,casualties=2")
    assert result.exit_code == 0, result.output
    assert "for a moderate chemical_accident" in result.output.splitlines()[0]


def test_simulate_refuses_an_unknown_incident_field_clearly(sop_file):
    result = iccc("sop", "simulate", sop_file, "--incident", "type=flood,wind=9")
    assert result.exit_code == 2
    assert "unknown field 'wind'" in result.output
    assert "Traceback" not in result.output


def test_a_bad_script_is_reported_with_its_file_and_line(sop_file, tmp_path):
    script = tmp_path / "answers.yaml"
    script.write_text(SCRIPT.replace("police: {acknowledge: 12m}", "police: {acknowledge: 12m, mood: grumpy}"))
    result = iccc("sop", "simulate", sop_file, "--script", script)
    assert result.exit_code == 1
    assert f"{script}:3: agencies.police.mood: unknown key 'mood'" in result.output


def test_the_schema_is_printed_as_json():
    result = iccc("sop", "schema")
    assert json.loads(result.output)["title"] == "ICCC standard operating procedure"
