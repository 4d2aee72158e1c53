"""The SOP host: feed a run an event, execute the commands it returns, feed back their answers.

This loop exists once. The coordination store runs it over the database (`coordination.runs`),
the drill's runtime world in memory (`simulation.runtime_world`): each hands it a `RunPort`,
which does what a command asks in its own world. The rules that are not the world's (a dispatch
step falls back to tasks when no units are recommended; a cascade of spawned incidents stops
at `MAX_CASCADE_DEPTH`; spawned incidents start their SOPs after the run is saved) are here, so
that a drill cannot pass while production behaves otherwise.
"""

from __future__ import annotations

from datetime import datetime
from collections.abc import Callable, Hashable
from typing import Protocol, runtime_checkable

from sop_engine.commands import (
    AskDecision,
    CancelTask,
    CancelTimer,
    Command,
    CommandDevices,
    CreateTask,
    DeadlineMissed,
    Escalate,
    FinishRun,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    SendNotice,
    SpawnIncident,
    StartTimer,
)
from sop_engine.events import DevicesCommanded, Event, RunStarted, TasksAssigned
from sop_engine.run import SopRun
from sop_engine.runtime import advance
from sop_engine.vocabulary import AgencyRole, units_by_owner

MAX_CASCADE_DEPTH = 3
"""How many generations of spawned incidents one incident may start. SOPs that spawn each
other (flood -> power outage -> ...) would otherwise loop; three covers every real cascade in
the library with room to spare."""


@runtime_checkable
class RunPort(Protocol):
    """What one run's commands do in the world: rows in the database, or entries in a drill's memory.

    A port is bound to one run and its incident, and to the moment of the event being driven.
    A new kind of command is one more method here and one more entry in `EXECUTORS`; a test
    holds every command type to an executor and every port to every method.
    """

    def record_event(self, event: Event) -> None:
        """Keep `event` in the run's log (before it is applied), so the run can be replayed."""

    def create_tasks(self, *, step_id: str, role: AgencyRole, instruction: str, ack_due_at: datetime,
                     complete_due_at: datetime) -> tuple[str, ...]:
        """Give the step's task to every agency of `role` that covers the incident; return the task ids
        (none: no agency could take it)."""

    def recommend_units(self, command: RequestDispatch) -> bool:
        """Hand a dispatch step to the dispatch service; True when a recommendation now awaits the duty
        officer (the run waits for `DispatchConfirmed`), False when no units of a type asked for are known."""

    def command_devices(self, command: CommandDevices) -> tuple[str, ...]:
        """Send the command to each device it names (by id, or by kind near the incident), through
        the world's outbox; return one command id per device (none: no such device). Each device's
        answer comes back later as `DeviceAnswered`."""

    def start_timer(self, key: str, due_at: datetime) -> None:
        """Start (or move) the run's timer `key`."""

    def cancel_timer(self, key: str) -> None:
        """Cancel the run's timer `key` if it is pending."""

    def deadline_missed(self, command: DeadlineMissed) -> None:
        """Record a missed deadline."""

    def escalate(self, command: Escalate) -> None:
        """Raise an escalation to the command's rung of the ladder."""

    def cancel_task(self, command: CancelTask) -> None:
        """Tell a task's agency to stop, if the task is still open."""

    def ask_decision(self, command: AskDecision) -> None:
        """Put a decision before the duty officer."""

    def ask_notice_approval(self, command: RequestNoticeApproval) -> None:
        """Put a public notice before the duty officer for approval."""

    def publish_notice(self, command: PublishNotice) -> None:
        """Publish an approved public notice."""

    def send_notice(self, command: SendNotice) -> None:
        """Inform the agencies of the command's roles that cover the incident."""

    def cascade_depth(self, *, at_most: int) -> int:
        """How many incidents this run's incident descends from, counting no further than `at_most`."""

    def refuse_spawn(self, command: SpawnIncident, depth: int) -> None:
        """Record that a linked incident was not opened: the cascade is `depth` incidents deep."""

    def spawn_incident(self, command: SpawnIncident) -> Hashable:
        """Open a linked incident; return what `start_spawned` needs to start its SOP."""

    def finish(self, command: FinishRun) -> None:
        """The run ended: close its open requests and settle the incident."""

    def save(self, run: SopRun) -> None:
        """Keep the run's new state (after every event of one drive has been applied)."""

    def start_spawned(self, child: Hashable) -> None:
        """Start the SOP that a spawned incident triggers, if any (by `begin_run` with a port of its own)."""


def begin_run(port: RunPort, run: SopRun, now: datetime) -> SopRun:
    """Start a new run (`new_run`) and drive it as far as it goes at `now`."""
    return drive_run(port, run, RunStarted(run.incident), now)


def drive_run(port: RunPort, run: SopRun, event: Event, now: datetime) -> SopRun:
    """Feed `event` to `run` at `now`, execute its commands through `port`, and feed back every event
    they answer with, until the run is quiet; save the run, then start the spawned incidents' SOPs.

    Returns the run's new state (also given to `port.save`).

    Raises:
        SopRuntimeError: the run refuses the event (an unknown task, step or option).
    """
    pending = [event]
    spawned: list[Hashable] = []
    executors = EXECUTORS
    for next_event in pending:  # grows while it is read: answers are fed in the order they came
        port.record_event(next_event)
        run, commands = advance(run, next_event, now)
        for command in commands:
            kind = type(command)
            if kind is SpawnIncident:
                child = _spawn(port, command)
                if child is not None:
                    spawned.append(child)
                continue
            answer = executors[kind](port, command)
            if answer is not None:
                pending.append(answer)
    port.save(run)
    for child in spawned:
        port.start_spawned(child)
    return run


def _create_tasks(port: RunPort, command: CreateTask) -> TasksAssigned:
    return TasksAssigned(command.step_id, port.create_tasks(
        step_id=command.step_id, role=command.role, instruction=command.instruction,
        ack_due_at=command.ack_due_at, complete_due_at=command.complete_due_at))


def _request_dispatch(port: RunPort, command: RequestDispatch) -> TasksAssigned | None:
    """Recommend units when the fleet knows them; otherwise ask each owning agency by task."""
    if port.recommend_units(command):
        return None
    task_ids: list[str] = []
    for role, wanted in units_by_owner(command.units).items():
        listed = ", ".join(f"{count} x {unit_type.replace('_', ' ')}" for unit_type, count in wanted)
        task_ids += port.create_tasks(step_id=command.step_id, role=role,
                                      instruction=f"Dispatch {listed} to the incident",
                                      ack_due_at=command.ack_due_at, complete_due_at=command.complete_due_at)
    return TasksAssigned(command.step_id, tuple(task_ids))


def _spawn(port: RunPort, command: SpawnIncident) -> Hashable | None:
    depth = port.cascade_depth(at_most=MAX_CASCADE_DEPTH)
    if depth >= MAX_CASCADE_DEPTH:
        port.refuse_spawn(command, depth)
        return None
    return port.spawn_incident(command)


def _unreachable_spawn(port: RunPort, command: SpawnIncident) -> None:
    raise AssertionError("`drive_run` spawns incidents itself: it keeps the children to start after the save")


EXECUTORS: dict[type, Callable[[RunPort, Command], Event | None]] = {
    CreateTask: _create_tasks,
    RequestDispatch: _request_dispatch,
    CommandDevices: lambda port, command: DevicesCommanded(command.step_id, port.command_devices(command)),
    SpawnIncident: _unreachable_spawn,
    StartTimer: lambda port, command: port.start_timer(command.key, command.due_at),
    CancelTimer: lambda port, command: port.cancel_timer(command.key),
    DeadlineMissed: lambda port, command: port.deadline_missed(command),
    Escalate: lambda port, command: port.escalate(command),
    CancelTask: lambda port, command: port.cancel_task(command),
    AskDecision: lambda port, command: port.ask_decision(command),
    RequestNoticeApproval: lambda port, command: port.ask_notice_approval(command),
    PublishNotice: lambda port, command: port.publish_notice(command),
    SendNotice: lambda port, command: port.send_notice(command),
    FinishRun: lambda port, command: port.finish(command),
}
"""What the host does for each command type: the port's method, and the event it answers with."""
