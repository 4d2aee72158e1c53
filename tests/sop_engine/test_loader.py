"""Loading SOP files: every mistake reported with its file and line."""

from __future__ import annotations

import pytest

from sop_engine import SopDefinitionError, load_sop_text, matching_sop, shipped_sops, Severity
from tests.sop_engine.conftest import TWO_STEP_SOP


def problems_of(text: str) -> list[str]:
    with pytest.raises(SopDefinitionError) as caught:
        load_sop_text(text, source="sop.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_sop_loads_with_its_deadlines_in_seconds(two_step_sop):
    assert str(two_step_sop.ref) == "two-step@v3"
    assert two_step_sop.step("shut_valve").ack_within_s == 120
    assert [str(before) for before in two_step_sop.step("repair").after] == ["shut_valve", "evacuate"]
    assert two_step_sop.step("repair").line == 18


def test_an_unknown_key_is_reported_at_its_line():
    text = TWO_STEP_SOP.replace("    ack_within: 5m\n", "    ack_within: 5m\n    owner: police\n")
    assert problems_of(text) == ["sop.yaml:17: steps.1.owner: unknown key 'owner'"]


def test_an_unknown_role_is_reported_at_its_line():
    text = TWO_STEP_SOP.replace("role: police", "role: army")
    [problem] = problems_of(text)
    assert problem.startswith("sop.yaml:15: steps.1.task.role: Input should be 'police'")


def test_a_bad_duration_is_reported():
    text = TWO_STEP_SOP.replace("complete_within: 20m", "complete_within: soon")
    assert problems_of(text) == [
        "sop.yaml:17: steps.1.complete_within: 'soon' is not a duration such as 30s, 5m, 2h or 1h30m"
    ]


def test_a_reference_to_an_unknown_step_is_reported_at_its_line():
    text = TWO_STEP_SOP.replace("after: [shut_valve, evacuate]", "after: [shut_valve, evacuation]")
    assert problems_of(text) == ["sop.yaml:19: step 'repair' waits for unknown step 'evacuation'"]


def test_steps_waiting_for_each_other_are_a_cycle():
    text = TWO_STEP_SOP.replace("    task: {role: police, do: \"Evacuate\"}", "    after: [repair]\n    task: {role: police, do: \"Evacuate\"}")
    assert any("cycle" in problem for problem in problems_of(text))


def test_yaml_syntax_errors_point_at_the_line():
    [problem] = problems_of("id: x\nsteps: [\n  - a: b\n")
    assert problem.startswith("sop.yaml:3: YAML syntax error")


def test_duplicate_keys_are_refused():
    text = TWO_STEP_SOP.replace("version: 3\n", "version: 3\nversion: 4\n")
    assert problems_of(text) == ["sop.yaml:3: duplicate key 'version'"]


def test_every_shipped_sop_loads():
    sop_ids = {sop.ref.sop_id for sop in shipped_sops()}
    assert {"building-fire", "urban-flood", "gas-leak", "road-accident"} <= sop_ids


def test_the_trigger_picks_the_sop_by_type_and_minimum_severity():
    sops = shipped_sops()
    assert matching_sop(sops, incident_type="flood", severity=Severity.SEVERE).ref.sop_id == "urban-flood"
    assert matching_sop(sops, incident_type="flood", severity=Severity.MINOR) is None
    assert matching_sop(sops, incident_type="heat_wave", severity=Severity.MODERATE) is None
