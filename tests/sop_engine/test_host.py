"""The SOP host: one loop that feeds a run its events and executes its commands through a port."""

from __future__ import annotations

import typing
from datetime import datetime

import pytest

from sop_engine import (
    EXECUTORS,
    MAX_CASCADE_DEPTH,
    AgencyRole,
    Command,
    IncidentFacts,
    RunPort,
    RunStatus,
    Severity,
    TaskCompleted,
    begin_run,
    drive_run,
    load_sop_text,
    new_run,
)
from tests.sop_engine.conftest import T0

DISPATCH_AND_SPAWN = """\
id: dispatch-and-spawn
version: 1
title: A dispatch step and a spawn
trigger: {incident_types: [flood]}
target: 2h
steps:
  - id: boats
    dispatch: {rescue_boat: 2, ambulance: 1, als_ambulance: 1}
    ack_within: 5m
    complete_within: 30m
  - id: outage
    spawn: {incident_type: power_outage}
"""

FACTS = IncidentFacts("flood", Severity.SEVERE)


class RecordingPort:
    """A port that writes down what it is asked, in order, and answers as a test tells it."""

    def __init__(self, *, units_known: bool = False, depth: int = 0):
        self.calls: list[tuple] = []
        self.units_known, self.depth = units_known, depth
        self.tasks = 0
        self.saved = None

    def __getattr__(self, name):  # every method the test does not answer for just records its call
        if name not in RunPort.__dict__:
            raise AttributeError(name)
        return lambda *args, **kwargs: self.calls.append((name, *args, *kwargs.values()))

    def create_tasks(self, *, step_id: str, role: AgencyRole, instruction: str, ack_due_at: datetime,
                     complete_due_at: datetime) -> tuple[str, ...]:
        self.tasks += 1
        self.calls.append(("create_tasks", step_id, role, instruction))
        return (f"task-{self.tasks}",)

    def recommend_units(self, command) -> bool:
        self.calls.append(("recommend_units", command.step_id))
        return self.units_known

    def cascade_depth(self, *, at_most: int) -> int:
        return min(self.depth, at_most)

    def spawn_incident(self, command) -> str:
        self.calls.append(("spawn_incident", command.incident_type))
        return "child"

    def save(self, run) -> None:
        self.calls.append(("save", run.status))
        self.saved = run

    def start_spawned(self, child) -> None:
        self.calls.append(("start_spawned", child))


@pytest.fixture
def sop():
    return load_sop_text(DISPATCH_AND_SPAWN, source="dispatch-and-spawn.yaml")


def names(port: RecordingPort) -> list[str]:
    return [call[0] for call in port.calls]


def test_every_command_the_runtime_can_issue_has_an_executor():
    # A command type added to the runtime without one would stop a run at its first use.
    assert set(EXECUTORS) == set(typing.get_args(Command))


def test_a_dispatch_with_no_units_known_asks_each_owning_agency_by_task(sop):
    port = RecordingPort()
    run = begin_run(port, new_run(run_id="r", definition=sop, incident=FACTS), T0)
    assert [call for call in port.calls if call[0] == "create_tasks"] == [
        ("create_tasks", "boats", AgencyRole.DISASTER_MANAGEMENT, "Dispatch 2 x rescue boat to the incident"),
        ("create_tasks", "boats", AgencyRole.HEALTH, "Dispatch 1 x ambulance, 1 x als ambulance to the incident"),
    ]
    assert set(run.tasks) == {"task-1", "task-2"}  # the tasks were assigned to the step


def test_a_dispatch_with_units_known_waits_for_the_duty_officer(sop):
    port = RecordingPort(units_known=True)
    run = begin_run(port, new_run(run_id="r", definition=sop, incident=FACTS), T0)
    assert "create_tasks" not in names(port)
    assert run.steps["boats"].task_ids == ()


def test_spawned_incidents_start_their_sops_after_the_run_is_saved(sop):
    port = RecordingPort()
    begin_run(port, new_run(run_id="r", definition=sop, incident=FACTS), T0)
    order = names(port)
    assert order.index("spawn_incident") < order.index("save") < order.index("start_spawned")
    assert port.calls[-1] == ("start_spawned", "child")


def test_a_cascade_at_its_depth_limit_opens_no_incident(sop):
    port = RecordingPort(depth=MAX_CASCADE_DEPTH)
    begin_run(port, new_run(run_id="r", definition=sop, incident=FACTS), T0)
    assert "spawn_incident" not in names(port) and "start_spawned" not in names(port)
    refused = next(call for call in port.calls if call[0] == "refuse_spawn")
    assert refused[2] == MAX_CASCADE_DEPTH


def test_every_event_is_recorded_before_it_is_applied_and_the_answers_follow(sop):
    port = RecordingPort()
    run = begin_run(port, new_run(run_id="r", definition=sop, incident=FACTS), T0)
    recorded = [type(call[1]).__name__ for call in port.calls if call[0] == "record_event"]
    assert recorded == ["RunStarted", "TasksAssigned"]
    port.calls.clear()
    run = drive_run(port, run, TaskCompleted("task-1"), T0)
    run = drive_run(port, run, TaskCompleted("task-2"), T0)
    assert run.status is RunStatus.COMPLETED and port.saved is run
    assert names(port)[-2:] == ["finish", "save"]
