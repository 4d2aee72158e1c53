"""The `command` step: the SOP commands devices (signs, sirens, pumps) and waits for them to confirm.

Each test drives `advance` directly, as the host would, and checks the run survives JSON.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sop_engine import (
    CommandDevices,
    DeadlineMissed,
    DeviceAnswered,
    DevicesCommanded,
    Escalate,
    EscalationTarget,
    IncidentFacts,
    RunStarted,
    RunStatus,
    Severity,
    SopDefinitionError,
    SopRuntimeError,
    StepStatus,
    TimerFired,
    advance,
    event_from_json,
    event_to_json,
    load_sop_text,
    new_run,
    replay,
    run_from_json,
    run_to_json,
)
from sop_engine.diagrams import step_summary
from sop_engine.dry_run import dry_run, read_script
from tests.sop_engine.conftest import T0

FLOOD_SIGNS = """\
id: signs
version: 1
title: Warn drivers and start the pumps
trigger: {incident_types: [flood]}
target: 2h
steps:
  - id: warn_drivers
    title: Warn drivers on the message signs
    command:
      kind: message_sign
      within_m: 2000
      action: display
      payload: {text: "Road flooded - use NH48", minutes: 90}
      within: 3m
  - id: start_pumps
    command: {ids: [pump-7, pump-8], action: start}
  - id: reopen
    after: [warn_drivers, start_pumps]
    task: {role: traffic, do: "Reopen the underpass"}
"""

INCIDENT = IncidentFacts("flood", Severity.SEVERE)


@pytest.fixture
def signs():
    return load_sop_text(FLOOD_SIGNS, source="signs.yaml")


def started(definition):
    run, commands = advance(new_run(run_id="r1", definition=definition, incident=INCIDENT), RunStarted(INCIDENT), T0)
    return run, commands


def of(kind, commands):
    return [command for command in commands if isinstance(command, kind)]


def after(run, event, minutes=1):
    run, commands = advance(run, event, T0 + timedelta(minutes=minutes))
    restored = run_from_json(run_to_json(run), definition_for=lambda ref: run.definition)
    assert run_to_json(restored) == run_to_json(run)
    return restored, commands


def test_a_command_step_asks_for_its_devices_by_kind_and_distance_or_by_id_with_a_confirmation_deadline(signs):
    run, commands = started(signs)
    warn, pumps = of(CommandDevices, commands)
    assert (warn.device_kind, warn.within_m, warn.device_ids) == ("message_sign", 2000, ())
    assert (warn.action, warn.payload) == ("display", {"text": "Road flooded - use NH48", "minutes": 90})
    assert warn.due_at == T0 + timedelta(minutes=3)
    assert (pumps.device_ids, pumps.device_kind, pumps.due_at) == (("pump-7", "pump-8"), None, T0 + timedelta(minutes=5))
    assert run.timers["step:warn_drivers"] == warn.due_at
    assert run.steps["warn_drivers"].status is StepStatus.ACTIVE


def test_the_step_is_done_when_every_device_has_confirmed_and_a_repeated_answer_changes_nothing(signs):
    run, _ = started(signs)
    run, _ = after(run, DevicesCommanded("warn_drivers", ("c1", "c2")))
    run, commands = after(run, DeviceAnswered("c1", True))
    assert run.steps["warn_drivers"].status is StepStatus.ACTIVE and commands == []
    again, commands = advance(run, DeviceAnswered("c1", True), T0 + timedelta(minutes=2))
    assert again is run and commands == []
    run, _ = after(run, DeviceAnswered("c2", True), minutes=2)
    assert run.steps["warn_drivers"].status is StepStatus.DONE
    assert run.steps["warn_drivers"].confirmed_ids == ("c1", "c2")
    assert "step:warn_drivers" not in run.timers


def test_a_device_that_fails_is_escalated_at_once_and_the_step_fails_only_when_none_carried_it_out(signs):
    run, _ = started(signs)
    run, _ = after(run, DevicesCommanded("start_pumps", ("p7", "p8")))
    run, commands = after(run, DeviceAnswered("p7", False, "motor tripped"))
    (escalation,) = of(Escalate, commands)
    assert escalation.target is EscalationTarget.DUTY_OFFICER and "motor tripped" in escalation.reason
    assert run.steps["start_pumps"].status is StepStatus.ACTIVE
    run, commands = after(run, DeviceAnswered("p8", False, "no power"))
    assert "no device carried it out" in of(Escalate, commands)[0].reason
    assert run.steps["start_pumps"].status is StepStatus.FAILED
    assert run.steps["reopen"].status is StepStatus.BLOCKED


def test_one_device_confirming_is_enough_when_the_others_have_answered(signs):
    run, _ = started(signs)
    run, _ = after(run, DevicesCommanded("start_pumps", ("p7", "p8")))
    run, _ = after(run, DeviceAnswered("p7", False, "motor tripped"))
    run, _ = after(run, DeviceAnswered("p8", True))
    assert run.steps["start_pumps"].status is StepStatus.DONE


def test_no_device_found_fails_the_step_and_tells_the_duty_officer_why(signs):
    run, _ = started(signs)
    run, commands = after(run, DevicesCommanded("warn_drivers", ()))
    assert run.steps["warn_drivers"].status is StepStatus.FAILED
    (escalation,) = of(Escalate, commands)
    assert "no message sign is registered within 2000 m of the incident" in escalation.reason
    assert "step:warn_drivers" not in run.timers


def test_devices_that_do_not_confirm_in_time_miss_the_deadline_and_climb_the_ladder(signs):
    run, _ = started(signs)
    run, _ = after(run, DevicesCommanded("warn_drivers", ("c1",)))
    run, commands = after(run, TimerFired("step:warn_drivers"), minutes=3)
    (missed,) = of(DeadlineMissed, commands)
    assert (missed.deadline, missed.task_id) == ("confirmation", None)
    assert of(Escalate, commands)[0].reason == "confirmation not given within 3m"
    run, _ = after(run, DeviceAnswered("c1", True), minutes=4)  # late, but still welcome
    assert run.steps["warn_drivers"].status is StepStatus.DONE


def test_answers_for_commands_the_run_never_sent_are_refused(signs):
    run, _ = started(signs)
    with pytest.raises(SopRuntimeError, match="not part of run"):
        advance(run, DeviceAnswered("stranger", True), T0)
    with pytest.raises(SopRuntimeError, match="not a device command"):
        advance(run, DevicesCommanded("reopen", ("x",)), T0)


def test_the_whole_run_replays_from_its_events_through_json(signs):
    run, _ = started(signs)
    events = [(T0, RunStarted(INCIDENT))]
    for minutes, event in [(1, DevicesCommanded("warn_drivers", ("c1",))), (1, DevicesCommanded("start_pumps", ("p7",))),
                           (2, DeviceAnswered("c1", True)), (2, DeviceAnswered("p7", False, "jammed"))]:
        run, _ = advance(run, event, T0 + timedelta(minutes=minutes))
        events.append((T0 + timedelta(minutes=minutes), event_from_json(event_to_json(event))))
    replayed = replay(run_id="r1", definition=signs, incident=INCIDENT, events=events)
    assert run_to_json(replayed) == run_to_json(run)
    assert run.status is RunStatus.INCOMPLETE


@pytest.mark.parametrize("command, message", [
    ("{kind: siren, ids: [s1], action: sound}", "not both or neither"),
    ("{action: sound}", "not both or neither"),
    ("{kind: siren, action: sound}", "`kind` needs `within_m`"),
    ("{ids: [s1], within_m: 300, action: sound}", "`within_m` goes with `kind`"),
    ("{ids: [s1, s1], action: sound}", "listed twice"),
    ("{kind: siren, within_m: 0, action: sound}", "within_m"),
    ("{kind: siren, within_m: 500, action: Sound!}", "action"),
])
def test_a_command_step_that_names_its_devices_badly_is_refused_with_its_line(command, message):
    text = FLOOD_SIGNS.replace("{ids: [pump-7, pump-8], action: start}", command)
    with pytest.raises(SopDefinitionError) as refused:
        load_sop_text(text, source="signs.yaml")
    assert any(problem.line == 16 and message in problem.message for problem in refused.value.problems), \
        refused.value.problems


def test_a_command_steps_ladder_cannot_name_an_agency_rung():
    text = FLOOD_SIGNS.replace("    command: {ids: [pump-7, pump-8], action: start}",
                               "    command: {ids: [pump-7], action: start}\n"
                               "    escalate: [{to: agency_supervisor, within: 5m}]")
    with pytest.raises(SopDefinitionError, match="watched by the duty officer"):
        load_sop_text(text, source="signs.yaml")


def test_a_dry_run_scripts_devices_and_says_in_words_what_the_step_does(signs):
    script = read_script("incident: {type: flood, severity: severe}\n"
                         "devices: {warn_drivers: {found: 3, confirm_after: 20s}, start_pumps: {fail: no power}}\n",
                         source="script.yaml")
    result = dry_run(signs, script)
    trace = result.trace_text()
    assert "warn_drivers -> message_sign-1, message_sign-2, message_sign-3: display" in trace
    assert "+00:00:20 done        warn_drivers" in trace
    assert "device command start_pumps/pump-7 failed: no power" in trace
    assert step_summary(signs.step("warn_drivers")) == "display: message signs within 2000 m"
    assert step_summary(signs.step("start_pumps")) == "start: pump-7, pump-8"


def test_a_step_that_may_find_no_device_is_skipped_rather_than_failed():
    text = FLOOD_SIGNS.replace("      within: 3m\n", "      within: 3m\n      if_none: skip\n")
    definition = load_sop_text(text, source="signs.yaml")
    run, _ = started(definition)
    run, commands = after(run, DevicesCommanded("warn_drivers", ()))
    assert run.steps["warn_drivers"].status is StepStatus.SKIPPED
    assert run.steps["warn_drivers"].outcome == ("nothing to command: no message sign is registered within 2000 m "
                                                 "of the incident")
    assert of(Escalate, commands) == [] and "step:warn_drivers" not in run.timers
    assert run.steps["reopen"].status is StepStatus.SKIPPED  # as after a step whose condition is false


def test_many_devices_failing_together_reach_the_duty_officer_twice_not_once_each():
    text = FLOOD_SIGNS.replace("{ids: [pump-7, pump-8], action: start}", "{ids: [p1, p2, p3, p4], action: start}")
    run, _ = started(load_sop_text(text, source="signs.yaml"))
    run, _ = after(run, DevicesCommanded("start_pumps", ("c1", "c2", "c3", "c4")))
    escalations = []
    for command_id in ("c1", "c2", "c3", "c4"):
        run, commands = after(run, DeviceAnswered(command_id, False, "controller offline"))
        escalations += of(Escalate, commands)
    assert [e.reason for e in escalations] == [
        "device command c1 failed: controller offline",
        "device command c4 failed: controller offline; no device carried it out, so the step fails",
    ]
