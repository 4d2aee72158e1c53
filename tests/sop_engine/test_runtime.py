"""The runtime: `advance(run, event, now) -> (run, commands)`, pure and idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sop_engine import (
    CancelTimer,
    CreateTask,
    DeadlineMissed,
    Escalate,
    EscalationTarget,
    FinishRun,
    IncidentFacts,
    RunStarted,
    RunStatus,
    Severity,
    SopRuntimeError,
    StartTimer,
    StepStatus,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
    TimerFired,
    advance,
    new_run,
    run_from_json,
    run_to_json,
)
from tests.sop_engine.conftest import T0

FACTS = IncidentFacts("gas_leak", Severity.SEVERE)


def started(definition):
    run = new_run(run_id="run-1", definition=definition, incident=FACTS)
    return advance(run, RunStarted(FACTS), T0)


def test_starting_a_run_creates_a_task_for_every_step_with_no_predecessor(two_step_sop):
    run, commands = started(two_step_sop)
    assert [(c.step_id, c.role.value) for c in commands if isinstance(c, CreateTask)] == [
        ("shut_valve", "gas"), ("evacuate", "police"),
    ]
    assert run.step_state("shut_valve").status is StepStatus.ACTIVE
    assert run.step_state("repair").status is StepStatus.PENDING
    first = commands[0]
    assert first.ack_due_at == T0 + timedelta(minutes=2)
    assert first.complete_due_at == T0 + timedelta(minutes=30)


def test_assigned_tasks_get_acknowledgement_and_completion_deadlines(two_step_sop):
    run, _ = started(two_step_sop)
    run, commands = advance(run, TasksAssigned("shut_valve", ("t-gas",)), T0)
    assert commands == [
        StartTimer("ack:t-gas", T0 + timedelta(minutes=2)),
        StartTimer("complete:t-gas", T0 + timedelta(minutes=30)),
    ]


def drive_to_join(definition):
    run, _ = started(definition)
    run, _ = advance(run, TasksAssigned("shut_valve", ("t-gas",)), T0)
    run, _ = advance(run, TasksAssigned("evacuate", ("t-police",)), T0)
    return run


def test_a_join_waits_for_every_predecessor(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, commands = advance(run, TaskCompleted("t-gas"), T0 + timedelta(minutes=10))
    assert not any(isinstance(c, CreateTask) for c in commands)
    run, commands = advance(run, TaskCompleted("t-police"), T0 + timedelta(minutes=12))
    assert [c.step_id for c in commands if isinstance(c, CreateTask)] == ["repair"]


def test_completing_every_step_finishes_the_run(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, _ = advance(run, TaskCompleted("t-gas"), T0)
    run, _ = advance(run, TaskCompleted("t-police"), T0)
    run, _ = advance(run, TasksAssigned("repair", ("t-repair",)), T0)
    run, commands = advance(run, TaskCompleted("t-repair"), T0 + timedelta(minutes=50))
    assert commands[-1] == FinishRun(RunStatus.COMPLETED, ())
    assert run.status is RunStatus.COMPLETED
    assert run.finished_at == T0 + timedelta(minutes=50)
    assert run.timers == {}


def test_a_repeated_acknowledgement_changes_nothing(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, commands = advance(run, TaskAcknowledged("t-gas"), T0)
    assert commands == [CancelTimer("ack:t-gas")]
    again, commands = advance(run, TaskAcknowledged("t-gas"), T0 + timedelta(seconds=5))
    assert again is run and commands == []


def test_an_unacknowledged_task_escalates_to_the_agency_supervisor(two_step_sop):
    """A task not acknowledged within its deadline goes to the first rung of the ladder."""
    run = drive_to_join(two_step_sop)
    late = T0 + timedelta(minutes=2)
    run, commands = advance(run, TimerFired("ack:t-gas"), late)
    assert commands == [
        DeadlineMissed("shut_valve", "t-gas", "acknowledgement", late),
        Escalate("shut_valve", "t-gas", 0, EscalationTarget.AGENCY_SUPERVISOR, "not acknowledged within 2m"),
        StartTimer("ladder:t-gas", late + timedelta(minutes=3)),
    ]


def test_the_ladder_climbs_until_the_task_is_acknowledged(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, _ = advance(run, TimerFired("ack:t-gas"), T0 + timedelta(minutes=2))
    run, commands = advance(run, TimerFired("ladder:t-gas"), T0 + timedelta(minutes=5))
    assert [c for c in commands if isinstance(c, Escalate)] == [
        Escalate("shut_valve", "t-gas", 1, EscalationTarget.DUTY_OFFICER, "still acknowledgement overdue"),
    ]
    run, commands = advance(run, TaskAcknowledged("t-gas"), T0 + timedelta(minutes=6))
    assert CancelTimer("ack:t-gas") not in commands  # it already fired


def test_acknowledging_stops_the_ladder(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, _ = advance(run, TimerFired("ack:t-gas"), T0 + timedelta(minutes=2))
    run, commands = advance(run, TaskAcknowledged("t-gas"), T0 + timedelta(minutes=3))
    assert CancelTimer("ladder:t-gas") in commands
    assert "ladder:t-gas" not in run.timers


def test_a_timer_that_fires_after_cancellation_changes_nothing(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, _ = advance(run, TaskAcknowledged("t-gas"), T0)
    again, commands = advance(run, TimerFired("ack:t-gas"), T0 + timedelta(minutes=2))
    assert again is run and commands == []


def test_a_step_no_agency_can_take_fails_and_blocks_what_waits_for_it(two_step_sop):
    run, _ = started(two_step_sop)
    run, commands = advance(run, TasksAssigned("evacuate", ()), T0)
    assert commands == [
        Escalate("evacuate", None, 0, EscalationTarget.DUTY_OFFICER, "no agency of role police covers the incident")
    ]
    assert run.step_state("evacuate").status is StepStatus.FAILED
    assert run.step_state("repair").status is StepStatus.BLOCKED


def test_a_rejected_task_alerts_the_duty_officer_and_the_run_ends_incomplete(two_step_sop):
    run = drive_to_join(two_step_sop)
    run, commands = advance(run, TaskRejected("t-police", "no patrol free"), T0)
    assert [command for command in commands if isinstance(command, Escalate)] == [
        Escalate("evacuate", "t-police", 0, EscalationTarget.DUTY_OFFICER,
                 "task rejected by the agency: no patrol free; no agency is left to do the step, so it fails")
    ]  # one alert, not a second one for the failed step
    run, commands = advance(run, TaskCompleted("t-gas"), T0)
    assert commands[-1] == FinishRun(RunStatus.INCOMPLETE, ("evacuate", "repair"))


def test_events_for_unknown_tasks_are_refused(two_step_sop):
    run = drive_to_join(two_step_sop)
    with pytest.raises(SopRuntimeError, match="no task t-ghost"):
        advance(run, TaskCompleted("t-ghost"), T0)


def test_now_must_be_timezone_aware(two_step_sop):
    run = new_run(run_id="r", definition=two_step_sop, incident=FACTS)
    with pytest.raises(SopRuntimeError, match="timezone-aware"):
        advance(run, RunStarted(FACTS), T0.replace(tzinfo=None))


def test_a_run_saved_and_restored_between_every_event_behaves_the_same(two_step_sop):
    """Same events in, same commands out, whether or not the run went through JSON."""
    events = [
        (RunStarted(FACTS), 0), (TasksAssigned("shut_valve", ("a",)), 0), (TasksAssigned("evacuate", ("b",)), 0),
        (TimerFired("ack:a"), 2), (TaskAcknowledged("b"), 3), (TimerFired("ladder:a"), 5),
        (TaskCompleted("a"), 9), (TaskCompleted("b"), 10), (TasksAssigned("repair", ("c",)), 10),
        (TaskCompleted("c"), 40),
    ]
    live = new_run(run_id="r", definition=two_step_sop, incident=FACTS)
    saved = live
    for event, minute in events:
        now = T0 + timedelta(minutes=minute)
        live, live_commands = advance(live, event, now)
        restored = run_from_json(run_to_json(saved), definition_for=lambda ref: two_step_sop)
        saved, saved_commands = advance(restored, event, now)
        assert saved_commands == live_commands
        assert run_to_json(saved) == run_to_json(live)
    assert live.status is RunStatus.COMPLETED
