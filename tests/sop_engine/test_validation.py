"""The validator: every mistake an SOP author can make is reported as `file:line: message`."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from sop_engine import SopDefinitionError, critical_path, load_sop_text, sop_json_schema

BASE = """\
id: chemical
version: 1
title: Chemical spill
trigger: {incident_types: [chemical_accident], min_severity: moderate}
target: 4h
steps:
  - id: contain
    task: {role: fire, do: "Contain the spill"}
    complete_within: 1h
  - id: decide
    after: [contain]
    decision: {question: "Evacuate?", options: [evacuate, stay]}
  - id: evacuate
    after: [decide == evacuate]
    task: {role: police, do: "Evacuate the block"}
    complete_within: 1h
  - id: stay
    after: [decide == stay]
    notify: {to: public, message: "Keep windows shut"}
  - id: clean_up
    after: [evacuate, stay]
    join: any
    task: {role: pollution_control, do: "Neutralise and clean up"}
    complete_within: 1h
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SopDefinitionError) as caught:
        load_sop_text(text, source="chemical.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_the_base_sop_is_valid_and_its_critical_path_fits_the_target():
    definition = load_sop_text(BASE, source="chemical.yaml")
    path = critical_path(definition)
    assert path.step_ids == ("contain", "decide", "evacuate", "clean_up")
    assert path.duration_s == 3 * 3600 + 15 * 60


def test_a_critical_path_longer_than_the_target_is_printed():
    assert problems_of(BASE.replace("target: 4h", "target: 3h")) == [
        "chemical.yaml:5: critical path 3h15m exceeds the target 3h: "
        "contain (1h) -> decide (15m) -> evacuate (1h) -> clean_up (1h)"
    ]


def test_a_step_must_do_exactly_one_thing():
    text = BASE.replace('    notify: {to: public, message: "Keep windows shut"}\n',
                        '    notify: {to: public, message: "Keep windows shut"}\n    wait: 5m\n')
    [problem] = problems_of(text)
    assert problem.startswith("chemical.yaml:17: steps.3: a step does exactly one of")
    assert "found: notify, wait" in problem


def test_an_unknown_role_in_a_notice_is_reported():
    [problem] = problems_of(BASE.replace("to: public", "to: [police, army]"))
    assert problem.startswith("chemical.yaml:19: steps.3.notify.to")


def test_an_unknown_unit_type_is_reported():
    text = BASE.replace('    task: {role: police, do: "Evacuate the block"}\n', "    dispatch: {hovercraft: 2}\n")
    [problem] = problems_of(text)
    assert problem.startswith("chemical.yaml:15: steps.2.dispatch.hovercraft")
    assert "unknown unit type 'hovercraft'" in problem


def test_an_unknown_option_of_a_decision_is_reported():
    assert problems_of(BASE.replace("after: [decide == evacuate]", "after: [decide == flee]")) == [
        "chemical.yaml:14: decision 'decide' has no option 'flee'; its options: evacuate, stay"
    ]


def test_an_option_of_a_step_that_is_not_a_decision_is_reported():
    [problem] = problems_of(BASE.replace("after: [decide == evacuate]", "after: [contain == done]"))
    assert "waits for option 'done' of 'contain', which is a task step, not a decision" in problem


def test_a_malformed_reference_is_reported():
    [problem] = problems_of(BASE.replace("after: [decide == evacuate]", "after: ['decide = evacuate']"))
    assert problem == "chemical.yaml:14: steps.2.after.0: 'decide = evacuate' is not `step` or `step == option`"


def test_a_condition_on_an_unknown_field_is_reported_at_its_line():
    text = BASE.replace("    after: [contain]\n", "    after: [contain]\n    when: incident.wind_speed > 20\n")
    [problem] = problems_of(text)
    assert problem.startswith("chemical.yaml:12: steps.1.when: unknown field 'incident.wind_speed'")


def test_a_step_whose_condition_never_holds_for_the_trigger_can_never_run():
    text = BASE.replace("    after: [contain]\n", "    after: [contain]\n    when: incident.severity < moderate\n")
    [problem] = problems_of(text)
    assert problem.startswith("chemical.yaml:10: step 'decide' can never run: its condition "
                              "`incident.severity < moderate` is false for every incident")
    assert problem.endswith("; so can clean_up, evacuate, stay")


def test_a_step_after_an_end_step_can_never_run():
    text = BASE + "  - id: finish\n    after: [clean_up]\n    end: {}\n  - id: report\n    after: [finish]\n" \
                  "    task: {role: municipal, do: \"Report\"}\n"
    assert problems_of(text) == ["chemical.yaml:28: step 'report' can never run: it waits for 'finish', an end step"]


def test_an_all_join_over_two_options_of_one_decision_can_never_complete():
    [problem] = problems_of(BASE.replace("    join: any\n", ""))
    assert problem == ("chemical.yaml:20: join at step 'clean_up' can never complete: it needs decision 'decide' "
                       "to choose both 'evacuate' and 'stay' (use `join: any`?)")


def test_an_any_join_needs_at_least_two_steps():
    [problem] = problems_of(BASE.replace("    after: [evacuate, stay]\n    join: any\n",
                                         "    after: [evacuate]\n    join: any\n"))
    assert "`any` needs at least two" in problem


def test_several_mistakes_are_all_reported():
    text = BASE.replace("role: fire", "role: navy").replace("options: [evacuate, stay]", "options: [evacuate]")
    problems = problems_of(text)
    assert len(problems) == 2
    assert problems[0].startswith("chemical.yaml:8: steps.0.task.role")
    assert problems[1].startswith("chemical.yaml:12: steps.1.decision.options: List should have at least 2 items")


def test_the_published_json_schema_describes_the_format():
    schema = sop_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    step = schema["$defs"]["_StepModel"]["properties"]
    assert {"task", "decision", "notify", "dispatch", "wait", "spawn", "end", "when", "join"} <= set(step)
    assert schema["additionalProperties"] is False


def test_the_shipped_schema_file_is_the_schema_of_the_loader():
    shipped = json.loads((resources.files("sop_engine") / "sop.schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(sop_json_schema())), (
        "regenerate sop_engine/sop.schema.json: python -c 'import json; from sop_engine import sop_json_schema; "
        "print(json.dumps(sop_json_schema(), indent=2, sort_keys=True))' > sop_engine/sop.schema.json"
    )


def test_a_decision_ladder_cannot_climb_to_an_agency():
    text = BASE.replace("    decision: {question: \"Evacuate?\", options: [evacuate, stay]}\n",
                        "    decision: {question: \"Evacuate?\", options: [evacuate, stay]}\n"
                        "    escalate: [{to: agency_supervisor, within: 5m}]\n")
    assert problems_of(text) == [
        "chemical.yaml:13: step 'decide' is watched by the duty officer (decision); its ladder cannot name "
        "agency_supervisor: use duty_officer or district_authority"
    ]
