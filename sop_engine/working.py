"""One `advance` call's scratch copy of a run, and what every part of the runtime does to it.

`Working` holds a private, mutable copy of the run's step, task and timer tables for the duration
of one event, the commands the event produced, and the operations on those tables that every
concern shares (timers, task and step look-ups, ending the run). The event handlers
(`event_handlers`), deadlines (`deadlines`) and step settling (`settling`) are functions of it.

Timers are the run's own, named by what they guard:
    ack:<task>, complete:<task>, ladder:<task>   a task's deadlines and its escalation ladder
    step:<step>, step-ladder:<step>              a decision, approval or dispatch confirmation
    wait:<step>                                  a wait step
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sop_engine.commands import (
    AskDecision,
    CancelTask,
    CancelTimer,
    Command,
    CreateTask,
    FinishRun,
    RequestDispatch,
    RequestNoticeApproval,
    StartTimer,
)
from sop_engine.errors import SopRuntimeError
from sop_engine.run import RunStatus, RunTaskStatus, SopRun, StepState, StepStatus, TaskState, evolve
from sop_engine.step_plan import StepPlan, plan_of

ACKNOWLEDGEMENT = "acknowledgement"
COMPLETION = "completion"


def ack_timer(task_id: str) -> str:
    return f"ack:{task_id}"


def completion_timer(task_id: str) -> str:
    return f"complete:{task_id}"


def ladder_timer(task_id: str) -> str:
    return f"ladder:{task_id}"


def step_timer(step_id: str) -> str:
    return f"step:{step_id}"


def step_ladder_timer(step_id: str) -> str:
    return f"step-ladder:{step_id}"


def wait_timer(step_id: str) -> str:
    return f"wait:{step_id}"


# Statuses by identity (`is`), from module globals: an enum's `in` and hashing go through
# Python-level `__eq__` and `__hash__`, and a member looked up on its class costs 0.1 µs,
# where the runtime compares statuses thousands of times a second.
RUNNING = RunStatus.RUNNING
PENDING, ACTIVE, DONE = StepStatus.PENDING, StepStatus.ACTIVE, StepStatus.DONE
FAILED, BLOCKED = StepStatus.FAILED, StepStatus.BLOCKED
SKIPPED, CANCELLED = StepStatus.SKIPPED, StepStatus.CANCELLED
ASSIGNED, ACKNOWLEDGED = RunTaskStatus.ASSIGNED, RunTaskStatus.ACKNOWLEDGED
COMPLETED, REJECTED = RunTaskStatus.COMPLETED, RunTaskStatus.REJECTED
TASK_CANCELLED = RunTaskStatus.CANCELLED


class Working:
    """A mutable scratch copy of one run for the duration of one `advance` call."""

    __slots__ = ("run", "now", "plan", "status", "incident", "steps", "tasks", "timers", "started_at",
                 "finished_at", "commands", "changed", "newly_settled", "_facts")

    def __init__(self, run: SopRun, now: datetime):
        self.run = run
        self.now = now
        definition = run.definition
        self.plan = definition._plan or plan_of(definition)
        self.status = run.status
        self.incident = run.incident
        # A private copy of each table (the run's own are never written once it is returned).
        self.steps: dict[str, StepState] = run.step_table.copy()
        self.tasks: dict[str, TaskState] = run.task_table.copy()
        self.timers: dict[str, datetime] = run.timer_table.copy()
        self.started_at = run.started_at
        self.finished_at = run.finished_at
        self.commands: list[Command] = []
        self.changed = False
        self.newly_settled: list[str] = []
        """Steps settled during this event: only their successors can have become ready."""
        # _facts: the incident's fields, set when a condition first reads them

    def result(self) -> SopRun:
        run = self.run
        return SopRun(run.run_id, run.definition, self.incident, self.status, self.steps, self.tasks, self.timers,
                      self.started_at, self.finished_at, run.events_applied + 1)

    # ending

    def close(self, reason: str) -> None:
        """Cancel every open task and step: the run is ending before they finished.

        A step started during this same event has asked nothing of anyone yet: its request
        (task, decision, dispatch) is withdrawn from the commands rather than sent and then
        cancelled, which would leave a task whose id the run never learnt.
        """
        started_now = {name for name, state in self.steps.items()
                       if state.status is ACTIVE and state.started_at == self.now and not state.task_ids}
        if started_now:
            self.commands = [
                command for command in self.commands
                if not (isinstance(command, (CreateTask, RequestDispatch, AskDecision, RequestNoticeApproval))
                        and command.step_id in started_now)
            ]
        for task_id, task in self.tasks.items():
            if not task.status.is_final:
                self.tasks[task_id] = evolve(task, status=TASK_CANCELLED)
                self.commands.append(CancelTask(task_id, reason))
        for step_id, state in self.steps.items():
            if not state.status.is_settled:
                self.settle_step(step_id, CANCELLED, reason)

    def finish_run(self, status: RunStatus, *, failed_steps: tuple[str, ...] = (), outcome: str = "") -> None:
        self.status = status
        self.finished_at = self.now
        for key in sorted(self.timers):
            self.commands.append(CancelTimer(key))
        self.timers.clear()
        self.commands.append(FinishRun(status, failed_steps, outcome))

    # shared operations on the tables

    def settle_step(self, step_id: str, status: StepStatus, reason: str) -> None:
        self.newly_settled.append(step_id)
        self.steps[step_id] = evolve(self.steps[step_id], status=status, finished_at=self.now, outcome=reason)

    def incident_fields(self) -> dict:
        """The incident's fields, as conditions read them (worked out once per event)."""
        try:
            return self._facts
        except AttributeError:
            self._facts: dict[str, Any] = self.incident.fields()
            return self._facts

    def start_timer(self, key: str, due_at: datetime) -> None:
        self.timers[key] = due_at
        self.commands.append(StartTimer(key, due_at))

    def cancel_timer(self, key: str) -> None:
        if self.timers.pop(key, None) is not None:
            self.commands.append(CancelTimer(key))

    def cancel_task_timers(self, task_id: str) -> None:
        timers = self.timers
        for key in ("ack:" + task_id, "complete:" + task_id, "ladder:" + task_id):  # as ack_timer()...
            if timers.pop(key, None) is not None:
                self.commands.append(CancelTimer(key))

    def cancel_step_timers(self, plan: StepPlan) -> None:
        timers = self.timers
        for key in plan.timers:
            if timers.pop(key, None) is not None:
                self.commands.append(CancelTimer(key))

    def task(self, task_id: str) -> TaskState:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise SopRuntimeError(f"run {self.run.run_id} has no task {task_id}") from None

    def plan_step(self, step_id: str) -> StepPlan:
        try:
            return self.plan.steps[step_id]
        except KeyError:
            raise SopRuntimeError(f"SOP {self.run.definition.ref} has no step {step_id!r}") from None
