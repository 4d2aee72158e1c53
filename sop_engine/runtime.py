"""The SOP runtime: `advance(run, event, now) -> (run, commands)`.

Pure: no I/O, no clock but the `now` it is given, no randomness. The same run and event give
the same new run and the same commands, which is what lets a drill run the production SOPs in
simulated time and a run be replayed from its events.

Idempotent by construction: an event that changes nothing (a repeated acknowledgement, a timer
that was already cancelled) returns the run unchanged and no commands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType

from sop_engine.commands import (
    CancelTimer,
    Command,
    CreateTask,
    DeadlineMissed,
    Escalate,
    FinishRun,
    StartTimer,
)
from sop_engine.definition import SopDefinition, Step
from sop_engine.durations import format_duration_s
from sop_engine.errors import SopRuntimeError
from sop_engine.events import (
    Event,
    RunStarted,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
    TimerFired,
)
from sop_engine.run import (
    IncidentFacts,
    RunStatus,
    RunTaskStatus,
    SopRun,
    StepState,
    StepStatus,
    TaskState,
)
from sop_engine.vocabulary import EscalationTarget

ACKNOWLEDGEMENT = "acknowledgement"
COMPLETION = "completion"


def ack_timer(task_id: str) -> str:
    return f"ack:{task_id}"


def completion_timer(task_id: str) -> str:
    return f"complete:{task_id}"


def ladder_timer(task_id: str) -> str:
    return f"ladder:{task_id}"


def new_run(*, run_id: str, definition: SopDefinition, incident: IncidentFacts) -> SopRun:
    """Return a run that has not started; feed it `RunStarted` to begin."""
    return SopRun(run_id=run_id, definition=definition, incident=incident)


def advance(run: SopRun, event: Event, now: datetime) -> tuple[SopRun, list[Command]]:
    """Apply `event` at `now`; return the new run and the commands the service must execute.

    Raises:
        SopRuntimeError: the event names a task or step this run does not have, or starts a
            run twice.
    """
    if now.tzinfo is None:
        raise SopRuntimeError("`now` must be timezone-aware")
    if run.is_finished:
        return run, []
    working = _Working(run, now)
    if isinstance(event, RunStarted):
        working.start()
    elif isinstance(event, TasksAssigned):
        working.assign(event.step_id, event.task_ids)
    elif isinstance(event, TaskAcknowledged):
        working.acknowledge(event.task_id)
    elif isinstance(event, TaskCompleted):
        working.complete(event.task_id)
    elif isinstance(event, TaskRejected):
        working.reject(event.task_id, event.reason)
    elif isinstance(event, TimerFired):
        working.fire(event.key)
    else:  # pragma: no cover - the Event union is closed
        raise SopRuntimeError(f"unknown event {event!r}")
    if not working.changed:
        return run, []
    return working.result(), working.commands


class _Working:
    """A mutable scratch copy of one run for the duration of one `advance` call."""

    def __init__(self, run: SopRun, now: datetime):
        self.run = run
        self.now = now
        self.definition = run.definition
        self.status = run.status
        self.steps = dict(run.steps)
        self.tasks = dict(run.tasks)
        self.timers = dict(run.timers)
        self.started_at = run.started_at
        self.finished_at = run.finished_at
        self.commands: list[Command] = []
        self.changed = False

    def result(self) -> SopRun:
        return replace(
            self.run,
            status=self.status,
            steps=MappingProxyType(self.steps),
            tasks=MappingProxyType(self.tasks),
            timers=MappingProxyType(self.timers),
            started_at=self.started_at,
            finished_at=self.finished_at,
            events_applied=self.run.events_applied + 1,
        )

    # events

    def start(self) -> None:
        if self.started_at is not None:
            raise SopRuntimeError(f"run {self.run.run_id} has already started")
        self.changed = True
        self.started_at = self.now
        for step in self.definition.steps:
            self.steps[step.step_id] = StepState()
        self._settle()

    def assign(self, step_id: str, task_ids: tuple[str, ...]) -> None:
        step = self._step(step_id)
        state = self.steps[step_id]
        if state.status is not StepStatus.ACTIVE or state.task_ids:
            if state.task_ids == tuple(task_ids):
                return
            raise SopRuntimeError(f"step {step_id!r} of run {self.run.run_id} is not waiting for tasks")
        self.changed = True
        self.steps[step_id] = replace(state, task_ids=tuple(task_ids))
        if not task_ids:
            self._fail_step(step, f"no agency of role {step.task.role.value} covers the incident")
            self._settle()
            return
        assert state.started_at is not None
        for task_id in task_ids:
            if task_id in self.tasks:
                raise SopRuntimeError(f"task {task_id} is already part of run {self.run.run_id}")
            self.tasks[task_id] = TaskState(task_id=task_id, step_id=step_id)
            self._start_timer(ack_timer(task_id), state.started_at + timedelta(seconds=step.ack_within_s))
            self._start_timer(completion_timer(task_id), state.started_at + timedelta(seconds=step.complete_within_s))

    def acknowledge(self, task_id: str) -> None:
        task = self._task(task_id)
        if task.status is not RunTaskStatus.ASSIGNED:
            return
        self.changed = True
        ladder_was_climbing = self._climbing_for(task_id) == ACKNOWLEDGEMENT
        self.tasks[task_id] = replace(task, status=RunTaskStatus.ACKNOWLEDGED)
        self._cancel_timer(ack_timer(task_id))
        if ladder_was_climbing:
            self._cancel_timer(ladder_timer(task_id))

    def complete(self, task_id: str) -> None:
        task = self._task(task_id)
        if task.status.is_final:
            return
        self.changed = True
        self.tasks[task_id] = replace(task, status=RunTaskStatus.COMPLETED)
        self._cancel_task_timers(task_id)
        self._finish_step_if_settled(task.step_id)
        self._settle()

    def reject(self, task_id: str, reason: str) -> None:
        task = self._task(task_id)
        if task.status.is_final:
            return
        self.changed = True
        self.tasks[task_id] = replace(task, status=RunTaskStatus.REJECTED)
        self._cancel_task_timers(task_id)
        self.commands.append(
            Escalate(task.step_id, task_id, 0, EscalationTarget.DUTY_OFFICER, f"task rejected by the agency: {reason}")
        )
        self._finish_step_if_settled(task.step_id)
        self._settle()

    def fire(self, key: str) -> None:
        if key not in self.timers:
            return  # cancelled or already fired: a late or repeated tick changes nothing
        self.changed = True
        due_at = self.timers.pop(key)
        kind, _, task_id = key.partition(":")
        task = self._task(task_id)
        step = self._step(task.step_id)
        if kind == "ack" and task.status is RunTaskStatus.ASSIGNED:
            self.commands.append(DeadlineMissed(step.step_id, task_id, ACKNOWLEDGEMENT, due_at))
            self._climb(task, f"not acknowledged within {format_duration_s(step.ack_within_s)}")
        elif kind == "complete" and not task.status.is_final:
            self.commands.append(DeadlineMissed(step.step_id, task_id, COMPLETION, due_at))
            self._climb(task, f"not completed within {format_duration_s(step.complete_within_s)}")
        elif kind == "ladder" and self._climbing_for(task_id) is not None:
            self._climb(task, f"still {self._climbing_for(task_id)} overdue")

    # helpers

    def _climbing_for(self, task_id: str) -> str | None:
        """What the ladder for this task is climbing about, or None once that is resolved."""
        task = self.tasks[task_id]
        if task.next_rung == 0 or task.status.is_final:
            return None
        if task.status is RunTaskStatus.ASSIGNED:
            return ACKNOWLEDGEMENT
        completion_due = self.timers.get(completion_timer(task_id))
        return COMPLETION if completion_due is None else None

    def _climb(self, task: TaskState, reason: str) -> None:
        ladder = self.definition.ladder_for(task.step_id)
        rung = min(task.next_rung, len(ladder) - 1)
        self.commands.append(Escalate(task.step_id, task.task_id, rung, ladder[rung].target, reason))
        self.tasks[task.task_id] = replace(task, next_rung=rung + 1)
        if rung + 1 < len(ladder):
            self._start_timer(ladder_timer(task.task_id), self.now + timedelta(seconds=ladder[rung].within_s))

    def _finish_step_if_settled(self, step_id: str) -> None:
        state = self.steps[step_id]
        outcomes = [self.tasks[task_id].status for task_id in state.task_ids]
        if not all(outcome.is_final for outcome in outcomes):
            return
        if RunTaskStatus.COMPLETED in outcomes:
            self.steps[step_id] = replace(state, status=StepStatus.DONE, finished_at=self.now)
        else:
            self._fail_step(self._step(step_id), "every agency rejected the task")

    def _fail_step(self, step: Step, reason: str) -> None:
        self.steps[step.step_id] = replace(self.steps[step.step_id], status=StepStatus.FAILED, finished_at=self.now)
        self.commands.append(Escalate(step.step_id, None, 0, EscalationTarget.DUTY_OFFICER, reason))

    def _settle(self) -> None:
        """Start every step whose predecessors are done, block those that can never start, and
        finish the run when nothing more can happen."""
        progressed = True
        while progressed:
            progressed = False
            for step in self.definition.steps:
                state = self.steps[step.step_id]
                if state.status is not StepStatus.PENDING:
                    continue
                before = [self.steps[name].status for name in step.after]
                if any(status in (StepStatus.FAILED, StepStatus.BLOCKED) for status in before):
                    self.steps[step.step_id] = replace(state, status=StepStatus.BLOCKED, finished_at=self.now)
                    progressed = True
                elif all(status is StepStatus.DONE for status in before):
                    self._activate(step)
        if any(state.status in (StepStatus.PENDING, StepStatus.ACTIVE) for state in self.steps.values()):
            return
        failed = tuple(name for name, state in self.steps.items() if state.status is not StepStatus.DONE)
        self.status = RunStatus.INCOMPLETE if failed else RunStatus.COMPLETED
        self.finished_at = self.now
        for key in sorted(self.timers):
            self.commands.append(CancelTimer(key))
        self.timers.clear()
        self.commands.append(FinishRun(self.status, failed))

    def _activate(self, step: Step) -> None:
        self.steps[step.step_id] = replace(self.steps[step.step_id], status=StepStatus.ACTIVE, started_at=self.now)
        self.commands.append(
            CreateTask(
                step_id=step.step_id,
                role=step.task.role,
                instruction=step.task.instruction,
                ack_due_at=self.now + timedelta(seconds=step.ack_within_s),
                complete_due_at=self.now + timedelta(seconds=step.complete_within_s),
            )
        )

    def _start_timer(self, key: str, due_at: datetime) -> None:
        self.timers[key] = due_at
        self.commands.append(StartTimer(key, due_at))

    def _cancel_timer(self, key: str) -> None:
        if self.timers.pop(key, None) is not None:
            self.commands.append(CancelTimer(key))

    def _cancel_task_timers(self, task_id: str) -> None:
        for key in (ack_timer(task_id), completion_timer(task_id), ladder_timer(task_id)):
            self._cancel_timer(key)

    def _task(self, task_id: str) -> TaskState:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise SopRuntimeError(f"run {self.run.run_id} has no task {task_id}") from None

    def _step(self, step_id: str) -> Step:
        try:
            return self.definition.step(step_id)
        except KeyError:
            raise SopRuntimeError(f"SOP {self.definition.ref} has no step {step_id!r}") from None
