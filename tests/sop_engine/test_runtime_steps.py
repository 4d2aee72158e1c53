"""The runtime's step kinds: decisions, notices, dispatch, waits, spawns, ends, conditions, joins,
and standing an SOP down. Each test drives `advance` directly and checks runs survive JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sop_engine import (
    AskDecision,
    CancelTask,
    CreateTask,
    DecisionTaken,
    DeadlineMissed,
    DispatchConfirmed,
    Escalate,
    EscalationTarget,
    FinishRun,
    IncidentFacts,
    NoticeApproved,
    NoticeWithheld,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    RunStarted,
    RunStatus,
    SendNotice,
    Severity,
    SopRuntimeError,
    SpawnIncident,
    StartTimer,
    StepStatus,
    StoodDown,
    TaskCompleted,
    TasksAssigned,
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
from tests.sop_engine.conftest import T0

FLOOD_SOP = """\
id: flood-branches
version: 1
title: Flood with decisions and branches
trigger: {incident_types: [flood], min_severity: moderate}
target: 12h
steps:
  - id: assess
    task: {role: disaster_management, do: "Assess"}
    complete_within: 30m
  - id: isolate_power
    after: [assess]
    when: incident.severity >= severe
    task: {role: electricity, do: "Isolate feeders"}
  - id: evacuate_or_shelter
    after: [assess]
    decision: {question: "Evacuate?", options: [evacuate, shelter_in_place], within: 15m}
  - id: boats
    after: [evacuate_or_shelter == evacuate]
    dispatch: {rescue_boat: 2, ambulance: 1}
  - id: shelter_advice
    after: [evacuate_or_shelter == shelter_in_place]
    notify: {to: [police, municipal], message: "Residents sheltering in place"}
  - id: warning
    after: [evacuate_or_shelter]
    notify: {to: public, message: "Move to higher ground", within: 10m}
  - id: recede
    after: [isolate_power]
    wait: 2h
  - id: outage
    after: [isolate_power]
    spawn: {incident_type: power_outage}
  - id: wrap_up
    after: [boats, shelter_advice]
    join: any
    task: {role: municipal, do: "Clear debris"}
"""

FALSE_ALARM_SOP = """\
id: gas-check
version: 1
title: Gas smell with a false-alarm exit
trigger: {incident_types: [gas_leak]}
target: 3h
steps:
  - id: verify
    decision: {question: "Is there a leak?", options: [leak, false_alarm]}
  - id: close_false_alarm
    after: [verify == false_alarm]
    end: {outcome: false_alarm}
  - id: shut_valve
    after: [verify]
    task: {role: gas, do: "Shut the valve"}
  - id: cordon
    task: {role: police, do: "Cordon off"}
"""

SEVERE = IncidentFacts("flood", Severity.SEVERE)


@pytest.fixture
def flood_sop():
    return load_sop_text(FLOOD_SOP, source="flood-branches.yaml")


class Driver:
    """Feeds events at given minutes after T0, saving and restoring the run after each."""

    def __init__(self, definition, facts=SEVERE):
        self.definition = definition
        self.run = new_run(run_id="run-1", definition=definition, incident=facts)
        self.log = []
        self.commands = self.feed(0, RunStarted(facts))

    def feed(self, minute, event):
        at = T0 + timedelta(minutes=minute)
        self.log.append((at, event))
        self.run, commands = advance(self.run, event, at)
        self.run = run_from_json(run_to_json(self.run), definition_for=lambda ref: self.definition)
        return commands

    def status(self, step_id):
        return self.run.step_state(step_id).status


def of(kind, commands):
    return [command for command in commands if isinstance(command, kind)]


def test_a_condition_false_for_the_incident_skips_the_step_and_what_follows_it(flood_sop):
    driver = Driver(flood_sop, IncidentFacts("flood", Severity.MODERATE))
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    assert driver.status("isolate_power") is StepStatus.SKIPPED
    assert "condition false: incident.severity >= severe" in driver.run.step_state("isolate_power").outcome
    assert driver.status("recede") is StepStatus.SKIPPED
    assert driver.status("outage") is StepStatus.SKIPPED


def test_a_decision_is_put_to_the_duty_officer_with_a_deadline(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    commands = driver.feed(20, TaskCompleted("t-assess"))
    asks = of(AskDecision, commands)
    assert asks == [AskDecision("evacuate_or_shelter", "Evacuate?", ("evacuate", "shelter_in_place"),
                                T0 + timedelta(minutes=35))]
    assert StartTimer("step:evacuate_or_shelter", T0 + timedelta(minutes=35)) in commands


def test_the_chosen_option_starts_its_branch_and_skips_the_others(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    commands = driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    assert driver.run.step_state("evacuate_or_shelter").outcome == "evacuate"
    assert of(RequestDispatch, commands)[0].units == (("rescue_boat", 2), ("ambulance", 1))
    assert driver.status("shelter_advice") is StepStatus.SKIPPED
    assert of(RequestNoticeApproval, commands)[0].message == "Move to higher ground"


def test_a_repeated_decision_changes_nothing_and_a_contrary_one_is_refused(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    before = driver.run
    assert advance(before, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"), T0)[1] == []
    with pytest.raises(SopRuntimeError, match="it chose 'evacuate'"):
        advance(before, DecisionTaken("evacuate_or_shelter", "shelter_in_place", "officer"), T0)
    with pytest.raises(SopRuntimeError, match="not an option"):
        advance(before, DecisionTaken("evacuate_or_shelter", "panic", "officer"), T0)


def test_a_decision_nobody_takes_climbs_from_the_duty_officer_to_the_district_authority(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    commands = driver.feed(35, TimerFired("step:evacuate_or_shelter"))
    assert of(DeadlineMissed, commands)[0].deadline == "decision"
    assert of(Escalate, commands)[0].target is EscalationTarget.DUTY_OFFICER
    commands = driver.feed(45, TimerFired("step-ladder:evacuate_or_shelter"))
    assert of(Escalate, commands)[0].target is EscalationTarget.DISTRICT_AUTHORITY
    commands = driver.feed(50, DecisionTaken("evacuate_or_shelter", "shelter_in_place", "officer"))
    assert of(SendNotice, commands)[0].roles[0].value == "police"


def test_a_public_notice_is_published_only_once_approved(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    assert driver.status("warning") is StepStatus.ACTIVE
    commands = driver.feed(27, NoticeApproved("warning", "officer"))
    assert of(PublishNotice, commands) == [PublishNotice("warning", "Move to higher ground", "officer")]
    assert driver.run.step_state("warning").outcome == "approved"
    assert driver.feed(28, NoticeApproved("warning", "officer")) == []


def test_a_withheld_notice_is_never_published(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    commands = driver.feed(27, NoticeWithheld("warning", "officer", "rumour risk"))
    assert of(PublishNotice, commands) == []
    assert driver.run.step_state("warning").outcome == "withheld"


def test_a_dispatch_step_is_done_when_units_are_confirmed(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    commands = driver.feed(30, DispatchConfirmed("boats", ("boat-1", "boat-2", "amb-7")))
    assert driver.status("boats") is StepStatus.DONE
    assert driver.run.step_state("boats").unit_ids == ("boat-1", "boat-2", "amb-7")
    assert [c.step_id for c in of(CreateTask, commands)] == ["wrap_up"]


def test_a_dispatch_step_without_units_is_carried_by_tasks_to_the_owning_agencies(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    commands = driver.feed(25, TasksAssigned("boats", ("t-boats", "t-ambulance")))
    assert StartTimer("ack:t-boats", T0 + timedelta(minutes=30)) in commands
    driver.feed(40, TaskCompleted("t-boats"))
    assert driver.status("boats") is StepStatus.ACTIVE
    driver.feed(41, TaskCompleted("t-ambulance"))
    assert driver.status("boats") is StepStatus.DONE


def test_a_wait_step_finishes_when_its_timer_fires_and_a_spawn_asks_for_a_linked_incident(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(21, TasksAssigned("isolate_power", ("t-power",)))
    commands = driver.feed(40, TaskCompleted("t-power"))
    assert of(SpawnIncident, commands) == [SpawnIncident("outage", "power_outage", Severity.SEVERE)]
    assert StartTimer("wait:recede", T0 + timedelta(minutes=160)) in commands
    assert driver.status("recede") is StepStatus.ACTIVE
    driver.feed(160, TimerFired("wait:recede"))
    assert driver.status("recede") is StepStatus.DONE


def test_an_any_join_starts_at_the_first_branch_done(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    commands = driver.feed(25, DecisionTaken("evacuate_or_shelter", "shelter_in_place", "officer"))
    assert driver.status("boats") is StepStatus.SKIPPED
    assert [c.step_id for c in of(CreateTask, commands)] == ["wrap_up"]


def test_the_run_completes_when_every_step_is_done_or_skipped(flood_sop):
    driver = Driver(flood_sop, IncidentFacts("flood", Severity.MODERATE))
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(25, DecisionTaken("evacuate_or_shelter", "shelter_in_place", "officer"))
    driver.feed(26, NoticeApproved("warning", "officer"))
    driver.feed(26, TasksAssigned("wrap_up", ("t-wrap",)))
    commands = driver.feed(90, TaskCompleted("t-wrap"))
    assert of(FinishRun, commands) == [FinishRun(RunStatus.COMPLETED, (), "")]


def test_an_end_step_finishes_the_run_and_cancels_open_work():
    definition = load_sop_text(FALSE_ALARM_SOP, source="gas-check.yaml")
    driver = Driver(definition, IncidentFacts("gas_leak", Severity.MINOR))
    driver.feed(1, TasksAssigned("cordon", ("t-cordon",)))
    commands = driver.feed(5, DecisionTaken("verify", "false_alarm", "officer"))
    assert of(CancelTask, commands) == [CancelTask("t-cordon", "the SOP ended at step 'close_false_alarm' (false_alarm)")]
    assert of(FinishRun, commands) == [FinishRun(RunStatus.COMPLETED, (), "false_alarm")]
    assert driver.status("shut_valve") is StepStatus.CANCELLED
    assert driver.run.timers == {}


def test_standing_down_cancels_every_open_task_and_timer(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    commands = driver.feed(10, StoodDown("water receded", "officer"))
    assert of(CancelTask, commands) == [CancelTask("t-assess", "stood down: water receded")]
    assert of(FinishRun, commands) == [FinishRun(RunStatus.STOOD_DOWN, (), "water receded")]
    assert driver.run.status is RunStatus.STOOD_DOWN
    assert {state.status for state in driver.run.steps.values()} == {StepStatus.CANCELLED}
    assert driver.run.timers == {}
    assert driver.feed(11, TaskCompleted("t-assess")) == []


def test_replaying_a_runs_events_reproduces_it_exactly(flood_sop):
    driver = Driver(flood_sop)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(35, TimerFired("step:evacuate_or_shelter"))
    driver.feed(38, DecisionTaken("evacuate_or_shelter", "evacuate", "officer"))
    driver.feed(39, NoticeApproved("warning", "officer"))
    stored = [(at, event_from_json(event_to_json(event))) for at, event in driver.log]
    replayed = replay(run_id="run-1", definition=flood_sop, incident=SEVERE, events=stored)
    assert run_to_json(replayed) == run_to_json(driver.run)
    assert replayed == driver.run


def test_incident_details_reach_conditions_and_survive_saving():
    definition = load_sop_text(FLOOD_SOP.replace("incident.severity >= severe", "incident.people_trapped > 0"),
                               source="x.yaml")
    facts = IncidentFacts("flood", Severity.MODERATE, {"people_trapped": 3})
    driver = Driver(definition, facts)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    assert driver.status("isolate_power") is StepStatus.ACTIVE
    assert driver.run.incident.details == {"people_trapped": 3}


def test_where_an_end_step_is_written_does_not_change_the_outcome():
    moved = FALSE_ALARM_SOP.replace(
        "  - id: close_false_alarm\n    after: [verify == false_alarm]\n    end: {outcome: false_alarm}\n", ""
    ) + "  - id: close_false_alarm\n    after: [verify == false_alarm]\n    end: {outcome: false_alarm}\n"
    outcomes = []
    for text in (FALSE_ALARM_SOP, moved):
        driver = Driver(load_sop_text(text, source="gas-check.yaml"), IncidentFacts("gas_leak", Severity.MINOR))
        driver.feed(1, TasksAssigned("cordon", ("t-cordon",)))
        driver.feed(5, DecisionTaken("verify", "false_alarm", "officer"))
        outcomes.append({name: state.status for name, state in driver.run.steps.items()})
    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["shut_valve"] is StepStatus.CANCELLED


def test_a_step_ready_together_with_an_end_step_is_never_asked_of_anyone():
    definition = load_sop_text(FALSE_ALARM_SOP.replace(
        "  - id: shut_valve\n    after: [verify]\n",
        "  - id: shut_valve\n    after: [verify == false_alarm]\n"), source="gas-check.yaml")
    driver = Driver(definition, IncidentFacts("gas_leak", Severity.MINOR))
    driver.feed(1, TasksAssigned("cordon", ("t-cordon",)))
    commands = driver.feed(5, DecisionTaken("verify", "false_alarm", "officer"))
    assert of(CreateTask, commands) == []
    assert driver.status("shut_valve") is StepStatus.CANCELLED
    assert of(FinishRun, commands)[0].outcome == "false_alarm"
