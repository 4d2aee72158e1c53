"""The SOP runtime: `advance(run, event, now) -> (run, commands)`.

Pure: no I/O, no clock but the `now` it is given, no randomness. The same run and event give
the same new run and the same commands, which is what lets a drill run the production SOPs in
simulated time and a run be replayed from its events.

Idempotent by construction: an event that changes nothing (a repeated acknowledgement, a timer
that was already cancelled, the same decision twice) returns the run unchanged and no commands.

Timers are the run's own, named by what they guard:
    ack:<task>, complete:<task>, ladder:<task>   a task's deadlines and its escalation ladder
    step:<step>, step-ladder:<step>              a decision, approval or dispatch confirmation
    wait:<step>                                  a wait step
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from sop_engine.commands import (
    AskDecision,
    CancelTask,
    CancelTimer,
    Command,
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
from sop_engine.definition import (
    DecisionAction,
    DispatchAction,
    EndAction,
    EscalationRung,
    NotifyAction,
    SopDefinition,
    SpawnAction,
    Step,
    TaskAction,
    WaitAction,
)
from sop_engine.durations import format_duration_s
from sop_engine.errors import SopRuntimeError
from sop_engine.events import (
    DecisionTaken,
    DispatchConfirmed,
    Event,
    IncidentRevised,
    NoticeApproved,
    NoticeWithheld,
    RunStarted,
    StoodDown,
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
    evolve,
)
from sop_engine.step_plan import StepPlan, plan_of
from sop_engine.vocabulary import EscalationTarget

ACKNOWLEDGEMENT = "acknowledgement"
COMPLETION = "completion"
APPROVED = "approved"
WITHHELD = "withheld"

_STEP_DEADLINE_NAMES = {DecisionAction: "decision", NotifyAction: "approval", DispatchAction: "confirmation"}


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


_NO_ENTRIES: Mapping[str, Any] = MappingProxyType({})
"""The tables of a run that has not started (read-only, so one can serve every run)."""


# Statuses by identity (`is`), from module globals: an enum's `in` and hashing go through
# Python-level `__eq__` and `__hash__`, and a member looked up on its class costs 0.1 µs,
# where the runtime compares statuses thousands of times a second.
_RUNNING = RunStatus.RUNNING
_PENDING, _ACTIVE, _DONE = StepStatus.PENDING, StepStatus.ACTIVE, StepStatus.DONE
_FAILED, _BLOCKED = StepStatus.FAILED, StepStatus.BLOCKED
_SKIPPED, _CANCELLED = StepStatus.SKIPPED, StepStatus.CANCELLED
_ASSIGNED, _ACKNOWLEDGED = RunTaskStatus.ASSIGNED, RunTaskStatus.ACKNOWLEDGED
_COMPLETED, _REJECTED = RunTaskStatus.COMPLETED, RunTaskStatus.REJECTED
_TASK_CANCELLED = RunTaskStatus.CANCELLED


def new_run(*, run_id: str, definition: SopDefinition, incident: IncidentFacts) -> SopRun:
    """Return a run that has not started; feed it `RunStarted` to begin."""
    return SopRun(run_id=run_id, definition=definition, incident=incident,
                  steps=_NO_ENTRIES, tasks=_NO_ENTRIES, timers=_NO_ENTRIES)


def advance(run: SopRun, event: Event, now: datetime) -> tuple[SopRun, list[Command]]:
    """Apply `event` at `now`; return the new run and the commands the service must execute.

    The run given is never changed: one event's changes are made on a private copy of the
    run's step, task and timer tables, frozen into a new run at the end.

    Raises:
        SopRuntimeError: the event names a task, step or option this run does not have,
            contradicts an earlier event (another option for a decided step), or starts a
            run twice.
    """
    if now.tzinfo is None:
        raise SopRuntimeError("`now` must be timezone-aware")
    if run.status is not _RUNNING:
        return run, []
    handler = _HANDLERS.get(type(event))
    if handler is None:
        handler = next((handler for kind, handler in _HANDLERS.items() if isinstance(event, kind)), None)
        if handler is None:
            raise SopRuntimeError(f"unknown event {event!r}")
    working = _Working(run, now)
    handler(working, event)
    if not working.changed:
        return run, []
    return working.result(), working.commands


_NOT_STARTED = StepState()
"""Every step of a run that has just started (frozen, so one value serves them all)."""


class _Working:
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
        # A private copy of each table; copy() of a read-only proxy is ten times dict(proxy).
        steps, tasks, timers = run.steps, run.tasks, run.timers
        self.steps: dict[str, StepState] = steps.copy() if type(steps) is MappingProxyType else dict(steps)
        self.tasks: dict[str, TaskState] = tasks.copy() if type(tasks) is MappingProxyType else dict(tasks)
        self.timers: dict[str, datetime] = timers.copy() if type(timers) is MappingProxyType else dict(timers)
        self.started_at = run.started_at
        self.finished_at = run.finished_at
        self.commands: list[Command] = []
        self.changed = False
        self.newly_settled: list[str] = []
        """Steps settled during this event: only their successors can have become ready."""
        # _facts: the incident's fields, set when a condition first reads them

    def result(self) -> SopRun:
        run = self.run
        return evolve(run, status=self.status, incident=self.incident, steps=MappingProxyType(self.steps),
                      tasks=MappingProxyType(self.tasks),
                      timers=MappingProxyType(self.timers), started_at=self.started_at, finished_at=self.finished_at,
                      events_applied=run.events_applied + 1)

    # events

    def start(self, event: RunStarted) -> None:
        if self.started_at is not None:
            raise SopRuntimeError(f"run {self.run.run_id} has already started")
        self.changed = True
        self.started_at = self.now
        steps = self.steps
        for step_id in self.plan.steps:
            steps[step_id] = _NOT_STARTED
        self._settle(starting=True)

    def assign(self, event: TasksAssigned) -> None:
        step_id, task_ids = event.step_id, tuple(event.task_ids)
        plan = self.plan.steps.get(step_id) or self._plan_step(step_id)
        state = self.steps[step_id]
        if not plan.takes_tasks:
            raise SopRuntimeError(f"step {step_id!r} is a {plan.step.kind} step; it has no tasks")
        if state.status is not _ACTIVE or state.task_ids or state.unit_ids:
            if state.task_ids == task_ids:
                return
            raise SopRuntimeError(f"step {step_id!r} of run {self.run.run_id} is not waiting for tasks")
        self.changed = True
        self.steps[step_id] = evolve(state, task_ids=task_ids)
        if plan.timers:  # a dispatch falling back to tasks: its confirmation deadline is over
            self._cancel_step_timers(plan)
        if not task_ids:
            self._fail_step(step_id, self._no_agency_reason(plan.step))
            self._settle()
            return
        started_at = state.started_at
        assert started_at is not None
        ack_due_at, complete_due_at = started_at + plan.ack_delta, started_at + plan.complete_delta
        tasks, timers, commands = self.tasks, self.timers, self.commands
        for task_id in task_ids:
            if task_id in tasks:
                raise SopRuntimeError(f"task {task_id} is already part of run {self.run.run_id}")
            tasks[task_id] = TaskState(task_id, step_id)
            key = "ack:" + task_id  # ack_timer(task_id)
            timers[key] = ack_due_at
            commands.append(StartTimer(key, ack_due_at))
            key = "complete:" + task_id  # completion_timer(task_id)
            timers[key] = complete_due_at
            commands.append(StartTimer(key, complete_due_at))

    def acknowledge(self, event: TaskAcknowledged) -> None:
        task_id = event.task_id
        task = self._task(task_id)
        if task.status is not _ASSIGNED:
            return
        self.changed = True
        ladder_was_climbing = self._climbing_for(task_id) == ACKNOWLEDGEMENT
        self.tasks[task_id] = evolve(task, status=_ACKNOWLEDGED)
        self._cancel_timer(ack_timer(task_id))
        if ladder_was_climbing:
            self._cancel_timer(ladder_timer(task_id))

    def complete(self, event: TaskCompleted) -> None:
        task_id = event.task_id
        task = self.tasks.get(task_id) or self._task(task_id)
        status = task.status
        if status is _COMPLETED or status is _REJECTED or status is _TASK_CANCELLED:
            return
        self.changed = True
        self.tasks[task_id] = evolve(task, status=_COMPLETED)
        self._cancel_task_timers(task_id)
        self._finish_step_if_settled(task.step_id)
        self._settle()

    def reject(self, event: TaskRejected) -> None:
        task_id = event.task_id
        task = self._task(task_id)
        if task.status.is_final:
            return
        self.changed = True
        self.tasks[task_id] = evolve(task, status=_REJECTED)
        self._cancel_task_timers(task_id)
        step_id = task.step_id
        outcomes = [self.tasks[other].status for other in self.steps[step_id].task_ids]
        step_fails = all(outcome.is_final for outcome in outcomes) and _COMPLETED not in outcomes
        consequence = "; no agency is left to do the step, so it fails" if step_fails else ""
        self.commands.append(
            Escalate(step_id, task_id, 0, EscalationTarget.DUTY_OFFICER,
                     f"task rejected by the agency: {event.reason}{consequence}")
        )
        if step_fails:  # one escalation says both; the duty officer is not told twice
            self._fail_step(step_id, "every agency rejected the task", escalate=False)
        else:
            self._finish_step_if_settled(step_id)
        self._settle()

    def decide(self, event: DecisionTaken) -> None:
        step_id, option = event.step_id, event.option
        step = self._plan_step(step_id).step
        if not isinstance(step.action, DecisionAction):
            raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a decision")
        if option not in step.action.options:
            raise SopRuntimeError(
                f"{option!r} is not an option of decision {step_id!r}; options: {', '.join(step.action.options)}"
            )
        state = self.steps[step_id]
        if state.status is _DONE and state.outcome == option:
            return
        if state.status is not _ACTIVE:
            already = f" (it chose {state.outcome!r})" if state.status is _DONE else ""
            raise SopRuntimeError(f"decision {step_id!r} is {state.status.value}, not awaiting a choice{already}")
        self.changed = True
        self._finish_step(step_id, outcome=option)
        self._settle()

    def approve_notice(self, event: NoticeApproved) -> None:
        step_id = event.step_id
        step, state = self._awaiting_approval(step_id)
        if state is None:
            return
        assert isinstance(step.action, NotifyAction)
        self.changed = True
        self.commands.append(PublishNotice(step_id, step.action.message, event.by))
        self._finish_step(step_id, outcome=APPROVED)
        self._settle()

    def withhold_notice(self, event: NoticeWithheld) -> None:
        _, state = self._awaiting_approval(event.step_id)
        if state is None:
            return
        self.changed = True
        self._finish_step(event.step_id, outcome=WITHHELD)
        self._settle()

    def confirm_dispatch(self, event: DispatchConfirmed) -> None:
        step_id, unit_ids = event.step_id, tuple(event.unit_ids)
        step = self._plan_step(step_id).step
        if not isinstance(step.action, DispatchAction):
            raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a dispatch")
        state = self.steps[step_id]
        if state.status is _DONE and state.unit_ids == unit_ids:
            return
        if state.status is not _ACTIVE or state.task_ids:
            raise SopRuntimeError(f"dispatch {step_id!r} is not awaiting confirmation")
        self.changed = True
        self.steps[step_id] = evolve(state, unit_ids=unit_ids)
        self._finish_step(step_id, outcome=None)
        self._settle()

    def revise(self, event: IncidentRevised) -> None:
        # Nothing is examined here: pending steps read the new facts when a predecessor settles
        # (or never, if none does), and a settled step is not reopened or undone.
        if event.incident == self.incident:
            return
        self.changed = True
        self.incident = event.incident

    def stand_down(self, event: StoodDown) -> None:
        self.changed = True
        self._close(f"stood down: {event.reason}")
        self._finish_run(RunStatus.STOOD_DOWN, outcome=event.reason)

    def fire(self, event: TimerFired) -> None:
        key = event.key
        if key not in self.timers:
            return  # cancelled or already fired: a late or repeated tick changes nothing
        self.changed = True
        due_at = self.timers.pop(key)
        kind, _, name = key.partition(":")
        if kind == "wait":
            self._finish_step(name, outcome=None)
            self._settle()
        elif kind in ("step", "step-ladder"):
            self._fire_step_deadline(kind, name, due_at)
        else:
            self._fire_task_deadline(kind, name, due_at)

    # deadlines and ladders

    def _fire_task_deadline(self, kind: str, task_id: str, due_at: datetime) -> None:
        task = self._task(task_id)
        step = self._plan_step(task.step_id).step
        if kind == "ack" and task.status is _ASSIGNED:
            self.commands.append(DeadlineMissed(step.step_id, task_id, ACKNOWLEDGEMENT, due_at))
            self._climb(task, f"not acknowledged within {format_duration_s(step.ack_within_s)}")
        elif kind == "complete" and not task.status.is_final:
            self.commands.append(DeadlineMissed(step.step_id, task_id, COMPLETION, due_at))
            self._climb(task, f"not completed within {format_duration_s(step.complete_within_s)}")
        elif kind == "ladder" and self._climbing_for(task_id) is not None:
            self._climb(task, f"still {self._climbing_for(task_id)} overdue")

    def _fire_step_deadline(self, kind: str, step_id: str, due_at: datetime) -> None:
        step = self._plan_step(step_id).step
        state = self.steps[step_id]
        if state.status is not _ACTIVE:
            return
        deadline = _STEP_DEADLINE_NAMES.get(type(step.action), "completion")
        if kind == "step":
            self.commands.append(DeadlineMissed(step_id, None, deadline, due_at))
            reason = f"{deadline} not given within {format_duration_s(step.complete_within_s)}"
        else:
            reason = f"{deadline} still overdue"
        rung = self._raise_next_rung(self.run.definition.step_deadline_ladder_for(step_id), state.next_rung,
                                     step_id=step_id, task_id=None, reason=reason, timer=step_ladder_timer(step_id))
        self.steps[step_id] = evolve(state, next_rung=rung + 1)

    def _climbing_for(self, task_id: str) -> str | None:
        """What the ladder for this task is climbing about, or None once that is resolved."""
        task = self.tasks[task_id]
        if task.next_rung == 0 or task.status.is_final:
            return None
        if task.status is _ASSIGNED:
            return ACKNOWLEDGEMENT
        completion_due = self.timers.get(completion_timer(task_id))
        return COMPLETION if completion_due is None else None

    def _climb(self, task: TaskState, reason: str) -> None:
        rung = self._raise_next_rung(self.run.definition.ladder_for(task.step_id), task.next_rung, step_id=task.step_id,
                                     task_id=task.task_id, reason=reason, timer=ladder_timer(task.task_id))
        self.tasks[task.task_id] = evolve(task, next_rung=rung + 1)

    def _raise_next_rung(self, ladder: tuple[EscalationRung, ...], next_rung: int, *, step_id: str,
                         task_id: str | None, reason: str, timer: str) -> int:
        """Escalate to the next rung (the top one again once climbed), start the timer for the
        rung after it, and return the rung raised."""
        rung = min(next_rung, len(ladder) - 1)
        self.commands.append(Escalate(step_id, task_id, rung, ladder[rung].target, reason))
        if rung + 1 < len(ladder):
            self._start_timer(timer, self.now + timedelta(seconds=ladder[rung].within_s))
        return rung

    # steps

    def _finish_step_if_settled(self, step_id: str) -> None:
        state = self.steps[step_id]
        if state.status is not _ACTIVE:
            return
        tasks = self.tasks
        any_completed = False
        for task_id in state.task_ids:
            status = tasks[task_id].status
            if status is _COMPLETED:
                any_completed = True
            elif status is not _REJECTED and status is not _TASK_CANCELLED:
                return  # a task is still open
        if any_completed:
            self._finish_step(step_id, outcome=None)
        else:
            self._fail_step(step_id, "every agency rejected the task")

    def _finish_step(self, step_id: str, *, outcome: str | None) -> None:
        self.newly_settled.append(step_id)
        plan = self.plan.steps[step_id]
        if plan.timers:
            self._cancel_step_timers(plan)
        self.steps[step_id] = evolve(self.steps[step_id], status=_DONE, finished_at=self.now, outcome=outcome)

    def _fail_step(self, step_id: str, reason: str, *, escalate: bool = True) -> None:
        self.newly_settled.append(step_id)
        self.steps[step_id] = evolve(self.steps[step_id], status=_FAILED, finished_at=self.now, outcome=reason)
        if escalate:
            self.commands.append(Escalate(step_id, None, 0, EscalationTarget.DUTY_OFFICER, reason))

    def _settle_step(self, step_id: str, status: StepStatus, reason: str) -> None:
        self.newly_settled.append(step_id)
        self.steps[step_id] = evolve(self.steps[step_id], status=status, finished_at=self.now, outcome=reason)

    def _readiness(self, plan: StepPlan) -> tuple[str, str]:
        """Whether a pending step can start: ("ready"|"wait"|"skip"|"block", reason).

        Each predecessor edge is live (done, and the named option chosen), dead (skipped, or
        another option chosen), broken (failed or blocked) or open. An `all` join needs every
        edge live; an `any` join needs one.
        """
        steps = self.steps
        if plan.plain_after is not None:  # an `all` join on steps alone: the same rules, no lists
            dead, waiting = None, False
            for name in plan.plain_after:
                status = steps[name].status
                if status is _DONE:
                    continue
                if status is _FAILED or status is _BLOCKED:
                    return "block", f"waits for {name}, which {status.value}"
                if status is _SKIPPED or status is _CANCELLED:
                    if dead is None:
                        dead = name
                else:
                    waiting = True
            if dead is not None:
                return "skip", f"the branch {dead} was not taken"
            return ("wait", "") if waiting else ("ready", "")
        live, dead_edges, broken, open_ = [], [], [], []
        for predecessor in plan.after:
            state = steps[predecessor.step_id]
            if state.status is _DONE:
                chosen = predecessor.option is None or state.outcome == predecessor.option
                (live if chosen else dead_edges).append(predecessor)
            elif state.status in (_SKIPPED, _CANCELLED):
                dead_edges.append(predecessor)
            elif state.status in (_FAILED, _BLOCKED):
                broken.append(predecessor)
            else:
                open_.append(predecessor)
        if plan.join_all:
            if broken:
                return "block", f"waits for {broken[0]}, which {steps[broken[0].step_id].status.value}"
            if dead_edges:
                return "skip", f"the branch {dead_edges[0]} was not taken"
            return ("wait", "") if open_ else ("ready", "")
        if live:
            return "ready", ""
        if open_:
            return "wait", ""
        if broken:
            return "block", "every step it waits for failed or was not taken"
        return "skip", "no branch it waits for was taken"

    def _settle(self, *, starting: bool = False) -> None:
        """Start every step its predecessors allow, skip or block those that can never start,
        and finish the run when nothing more can happen.

        In rounds: first every skip and block is propagated, collecting the steps that are
        ready; then, if an `end` step is among them, it alone runs (the run ends, and the others
        are cancelled before they were ever asked of anyone); otherwise the ready steps start in
        the order they are written, which may settle more (notices, spawns) for the next round.
        So the outcome never depends on where in the file an `end` step is written. A pending
        step is examined only when it has no predecessors (at the start) or one of them
        settled during this event, since nothing else can have changed its readiness.
        """
        plans = self.plan.steps
        steps = self.steps
        settled = self.newly_settled
        propagated = 0
        names: tuple[str, ...] | list[str] | None = self.plan.roots if starting else None
        while True:
            ready: dict[str, StepPlan] = {}
            while True:
                if names is None:
                    count = len(settled)
                    if propagated == count:
                        break
                    if propagated + 1 == count:  # the usual case: successors are already in order
                        names = plans[settled[propagated]].successors
                    else:
                        names = sorted({name for done in settled[propagated:] for name in plans[done].successors},
                                       key=lambda name: plans[name].position)
                    propagated = count
                for name in names:
                    if steps[name].status is not _PENDING or name in ready:
                        continue
                    plan = plans[name]
                    if plan.plain_after is not None and plan.when is None:
                        for before in plan.plain_after:
                            if steps[before].status is not _DONE:
                                break
                        else:  # every step it waits for is done: the usual way a step becomes ready
                            ready[name] = plan
                            continue
                    verdict, reason = self._readiness(plan)
                    if verdict == "wait":
                        continue
                    if verdict == "block":
                        self._settle_step(name, _BLOCKED, reason)
                    elif verdict == "skip":
                        self._settle_step(name, _SKIPPED, reason)
                    elif plan.when is not None and not plan.when(self._incident_fields()):
                        self._settle_step(name, _SKIPPED, f"condition false: {plan.step.when_text}")
                    else:
                        ready[name] = plan
                names = None
            if not ready:
                break
            if len(ready) == 1:
                ordered: Iterable[StepPlan] = ready.values()
            else:
                ordered = sorted(ready.values(), key=lambda plan: plan.position)
                if self.plan.has_end:
                    ends = [plan for plan in ordered if isinstance(plan.action, EndAction)]
                    ordered = ends[:1] or ordered
            for plan in ordered:
                self._activate(plan)
                if self.status is not _RUNNING:
                    return
        if not settled:
            return  # nothing settled, so the run cannot have become finished
        for state in reversed(steps.values()):  # later steps are the likelier to be still open
            if state.status is _PENDING or state.status is _ACTIVE:
                return
        failed = [name for name, state in steps.items() if state.status is _FAILED or state.status is _BLOCKED]
        self._finish_run(RunStatus.INCOMPLETE if failed else RunStatus.COMPLETED, failed_steps=tuple(failed))

    def _activate(self, plan: StepPlan) -> None:
        step_id = plan.step_id
        now = self.now
        self.steps[step_id] = evolve(self.steps[step_id], status=_ACTIVE, started_at=now)
        action = plan.action
        if isinstance(action, TaskAction):
            self.commands.append(
                CreateTask(step_id, action.role, action.instruction, now + plan.ack_delta, now + plan.complete_delta)
            )
        elif isinstance(action, DecisionAction):
            complete_due_at = now + plan.complete_delta
            self.commands.append(AskDecision(step_id, action.question, action.options, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, NotifyAction) and action.public:
            complete_due_at = now + plan.complete_delta
            self.commands.append(RequestNoticeApproval(step_id, action.message, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, NotifyAction):
            self.commands.append(SendNotice(step_id, action.roles, action.message))
            self._finish_step(step_id, outcome=None)
        elif isinstance(action, DispatchAction):
            complete_due_at = now + plan.complete_delta
            self.commands.append(RequestDispatch(step_id, action.units, now + plan.ack_delta, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, WaitAction):
            self._start_timer(wait_timer(step_id), now + timedelta(seconds=action.duration_s))
        elif isinstance(action, SpawnAction):
            severity = action.severity or self.incident.severity
            self.commands.append(SpawnIncident(step_id, action.incident_type, severity))
            self._finish_step(step_id, outcome=None)
        elif isinstance(action, EndAction):
            self._finish_step(step_id, outcome=action.outcome)
            self._close(f"the SOP ended at step {step_id!r} ({action.outcome})")
            self._finish_run(RunStatus.COMPLETED, outcome=action.outcome)

    # ending

    def _close(self, reason: str) -> None:
        """Cancel every open task and step: the run is ending before they finished.

        A step started during this same event has asked nothing of anyone yet: its request
        (task, decision, dispatch) is withdrawn from the commands rather than sent and then
        cancelled, which would leave a task whose id the run never learnt.
        """
        started_now = {name for name, state in self.steps.items()
                       if state.status is _ACTIVE and state.started_at == self.now and not state.task_ids}
        if started_now:
            self.commands = [
                command for command in self.commands
                if not (isinstance(command, (CreateTask, RequestDispatch, AskDecision, RequestNoticeApproval))
                        and command.step_id in started_now)
            ]
        for task_id, task in self.tasks.items():
            if not task.status.is_final:
                self.tasks[task_id] = evolve(task, status=_TASK_CANCELLED)
                self.commands.append(CancelTask(task_id, reason))
        for step_id, state in self.steps.items():
            if not state.status.is_settled:
                self._settle_step(step_id, _CANCELLED, reason)

    def _finish_run(self, status: RunStatus, *, failed_steps: tuple[str, ...] = (), outcome: str = "") -> None:
        self.status = status
        self.finished_at = self.now
        for key in sorted(self.timers):
            self.commands.append(CancelTimer(key))
        self.timers.clear()
        self.commands.append(FinishRun(status, failed_steps, outcome))

    # helpers

    def _incident_fields(self) -> dict:
        """The incident's fields, as conditions read them (worked out once per event)."""
        try:
            return self._facts
        except AttributeError:
            self._facts: dict[str, Any] = self.incident.fields()
            return self._facts

    def _awaiting_approval(self, step_id: str) -> tuple[Step, StepState | None]:
        """The public-notice step and its state, or None as state if already settled the same way."""
        step = self._plan_step(step_id).step
        if not (isinstance(step.action, NotifyAction) and step.action.public):
            raise SopRuntimeError(f"step {step_id!r} is not a public notice awaiting approval")
        state = self.steps[step_id]
        if state.status is _DONE:
            return step, None
        if state.status is not _ACTIVE:
            raise SopRuntimeError(f"notice {step_id!r} is {state.status.value}, not awaiting approval")
        return step, state

    def _no_agency_reason(self, step: Step) -> str:
        if isinstance(step.action, TaskAction):
            return f"no agency of role {step.action.role.value} covers the incident"
        return "no agency owning the requested units covers the incident"

    def _start_timer(self, key: str, due_at: datetime) -> None:
        self.timers[key] = due_at
        self.commands.append(StartTimer(key, due_at))

    def _cancel_timer(self, key: str) -> None:
        if self.timers.pop(key, None) is not None:
            self.commands.append(CancelTimer(key))

    def _cancel_task_timers(self, task_id: str) -> None:
        timers = self.timers
        for key in ("ack:" + task_id, "complete:" + task_id, "ladder:" + task_id):  # as ack_timer()...
            if timers.pop(key, None) is not None:
                self.commands.append(CancelTimer(key))

    def _cancel_step_timers(self, plan: StepPlan) -> None:
        timers = self.timers
        for key in plan.timers:
            if timers.pop(key, None) is not None:
                self.commands.append(CancelTimer(key))

    def _task(self, task_id: str) -> TaskState:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise SopRuntimeError(f"run {self.run.run_id} has no task {task_id}") from None

    def _plan_step(self, step_id: str) -> StepPlan:
        try:
            return self.plan.steps[step_id]
        except KeyError:
            raise SopRuntimeError(f"SOP {self.run.definition.ref} has no step {step_id!r}") from None


_HANDLERS: dict[type, Callable[[_Working, Any], None]] = {
    RunStarted: _Working.start,
    TasksAssigned: _Working.assign,
    TaskAcknowledged: _Working.acknowledge,
    TaskCompleted: _Working.complete,
    TaskRejected: _Working.reject,
    TimerFired: _Working.fire,
    DecisionTaken: _Working.decide,
    NoticeApproved: _Working.approve_notice,
    NoticeWithheld: _Working.withhold_notice,
    DispatchConfirmed: _Working.confirm_dispatch,
    IncidentRevised: _Working.revise,
    StoodDown: _Working.stand_down,
}
"""What each kind of event does to a run."""
