"""Revising the incident mid-run (`IncidentRevised`): steps examined later read the revised facts;
steps already decided stand. Runs are saved and restored after every event, as in the other
runtime tests, and a revised run replays exactly from its stored events."""

from __future__ import annotations

from sop_engine import (
    CreateTask,
    IncidentFacts,
    IncidentRevised,
    RunStatus,
    Severity,
    SpawnIncident,
    StepStatus,
    StoodDown,
    TaskCompleted,
    TasksAssigned,
    advance,
    event_from_json,
    event_to_json,
    replay,
    run_to_json,
)
from tests.sop_engine.conftest import T0
from tests.sop_engine.test_runtime_steps import Driver, flood_sop, of  # noqa: F401 - flood_sop is a fixture

MODERATE = IncidentFacts("flood", Severity.MODERATE)
SEVERE = IncidentFacts("flood", Severity.SEVERE)
EXTREME = IncidentFacts("flood", Severity.EXTREME)


def test_a_step_whose_condition_was_false_is_reached_once_the_severity_is_raised_before_its_turn(flood_sop):
    """`isolate_power` (when: incident.severity >= severe) waits for `assess`: a moderate flood
    raised to severe while the assessment is under way gets its power isolated."""
    driver = Driver(flood_sop, MODERATE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    assert driver.feed(10, IncidentRevised(SEVERE)) == []  # nothing is examined by the revision itself
    commands = driver.feed(20, TaskCompleted("t-assess"))
    assert driver.status("isolate_power") is StepStatus.ACTIVE
    assert [command.step_id for command in of(CreateTask, commands)] == ["isolate_power"]
    assert driver.run.incident == SEVERE


def test_a_step_already_skipped_stays_skipped_when_the_severity_is_raised_later(flood_sop):
    driver = Driver(flood_sop, MODERATE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    assert driver.status("isolate_power") is StepStatus.SKIPPED
    assert driver.feed(30, IncidentRevised(EXTREME)) == []
    assert driver.status("isolate_power") is StepStatus.SKIPPED
    assert "condition false" in driver.run.step_state("isolate_power").outcome


def test_a_step_already_started_goes_on_when_the_severity_is_lowered(flood_sop):
    driver = Driver(flood_sop, SEVERE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(21, TasksAssigned("isolate_power", ("t-power",)))
    driver.feed(25, IncidentRevised(MODERATE))
    assert driver.status("isolate_power") is StepStatus.ACTIVE
    driver.feed(40, TaskCompleted("t-power"))
    assert driver.status("isolate_power") is StepStatus.DONE


def test_a_linked_incident_spawned_after_a_revision_takes_the_revised_severity(flood_sop):
    driver = Driver(flood_sop, SEVERE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(20, TaskCompleted("t-assess"))
    driver.feed(21, TasksAssigned("isolate_power", ("t-power",)))
    driver.feed(30, IncidentRevised(EXTREME))
    commands = driver.feed(40, TaskCompleted("t-power"))
    assert of(SpawnIncident, commands) == [SpawnIncident("outage", "power_outage", Severity.EXTREME)]


def test_a_revision_to_the_same_facts_changes_nothing(flood_sop):
    driver = Driver(flood_sop, SEVERE)
    before = driver.run
    again, commands = advance(before, IncidentRevised(IncidentFacts("flood", Severity.SEVERE)), T0)
    assert again is before and commands == []


def test_a_revision_counts_as_an_event_and_leaves_steps_tasks_and_timers_alone(flood_sop):
    driver = Driver(flood_sop, MODERATE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    before = driver.run
    driver.feed(5, IncidentRevised(IncidentFacts("flood", Severity.SEVERE, {"people_trapped": 4})))
    after = driver.run
    assert after.events_applied == before.events_applied + 1
    assert (after.steps, after.tasks, after.timers) == (before.steps, before.tasks, before.timers)
    assert run_to_json(after)["incident"] == {"type": "flood", "severity": "severe", "details": {"people_trapped": 4}}


def test_a_revision_to_a_finished_run_is_accepted_and_changes_nothing(flood_sop):
    """As every event is, once a run has finished."""
    driver = Driver(flood_sop, MODERATE)
    driver.feed(1, StoodDown("false alarm", "officer"))
    assert driver.run.status is RunStatus.STOOD_DOWN
    finished = driver.run
    again, commands = advance(finished, IncidentRevised(EXTREME), T0)
    assert again is finished and commands == []


def test_a_revision_is_stored_with_the_runs_events_and_replays_exactly(flood_sop):
    driver = Driver(flood_sop, MODERATE)
    driver.feed(1, TasksAssigned("assess", ("t-assess",)))
    driver.feed(10, IncidentRevised(IncidentFacts("flood", Severity.SEVERE, {"people_affected": 1200})))
    driver.feed(20, TaskCompleted("t-assess"))
    stored = [(at, event_to_json(event)) for at, event in driver.log]
    assert stored[2][1] == {"type": "incident_revised",
                            "incident": {"type": "flood", "severity": "severe", "details": {"people_affected": 1200}}}
    replayed = replay(run_id="run-1", definition=flood_sop, incident=MODERATE,
                      events=[(at, event_from_json(data)) for at, data in stored])
    assert replayed == driver.run
    assert replayed.step_state("isolate_power").status is StepStatus.ACTIVE
