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
from sop_engine.conditions import evaluate
from sop_engine.definition import (
    DecisionAction,
    DispatchAction,
    EndAction,
    EscalationRung,
    JoinRule,
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
    evolve,
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


def new_run(*, run_id: str, definition: SopDefinition, incident: IncidentFacts) -> SopRun:
    """Return a run that has not started; feed it `RunStarted` to begin."""
    return SopRun(run_id=run_id, definition=definition, incident=incident)


def advance(run: SopRun, event: Event, now: datetime) -> tuple[SopRun, list[Command]]:
    """Apply `event` at `now`; return the new run and the commands the service must execute.

    Raises:
        SopRuntimeError: the event names a task, step or option this run does not have,
            contradicts an earlier event (another option for a decided step), or starts a
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
    elif isinstance(event, DecisionTaken):
        working.decide(event.step_id, event.option)
    elif isinstance(event, NoticeApproved):
        working.approve_notice(event.step_id, event.by)
    elif isinstance(event, NoticeWithheld):
        working.withhold_notice(event.step_id)
    elif isinstance(event, DispatchConfirmed):
        working.confirm_dispatch(event.step_id, event.unit_ids)
    elif isinstance(event, StoodDown):
        working.stand_down(event.reason)
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
        self.newly_settled: list[str] = []
        """Steps settled during this event: only their successors can have become ready."""

    def result(self) -> SopRun:
        return evolve(
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
        self._settle(starting=True)

    def assign(self, step_id: str, task_ids: tuple[str, ...]) -> None:
        step = self._step(step_id)
        state = self.steps[step_id]
        if not isinstance(step.action, (TaskAction, DispatchAction)):
            raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step; it has no tasks")
        if state.status is not StepStatus.ACTIVE or state.task_ids or state.unit_ids:
            if state.task_ids == tuple(task_ids):
                return
            raise SopRuntimeError(f"step {step_id!r} of run {self.run.run_id} is not waiting for tasks")
        self.changed = True
        self.steps[step_id] = evolve(state, task_ids=tuple(task_ids))
        self._cancel_step_timers(step_id)
        if not task_ids:
            self._fail_step(step, self._no_agency_reason(step))
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
        self.tasks[task_id] = evolve(task, status=RunTaskStatus.ACKNOWLEDGED)
        self._cancel_timer(ack_timer(task_id))
        if ladder_was_climbing:
            self._cancel_timer(ladder_timer(task_id))

    def complete(self, task_id: str) -> None:
        task = self._task(task_id)
        if task.status.is_final:
            return
        self.changed = True
        self.tasks[task_id] = evolve(task, status=RunTaskStatus.COMPLETED)
        self._cancel_task_timers(task_id)
        self._finish_step_if_settled(task.step_id)
        self._settle()

    def reject(self, task_id: str, reason: str) -> None:
        task = self._task(task_id)
        if task.status.is_final:
            return
        self.changed = True
        self.tasks[task_id] = evolve(task, status=RunTaskStatus.REJECTED)
        self._cancel_task_timers(task_id)
        step_id = task.step_id
        outcomes = [self.tasks[other].status for other in self.steps[step_id].task_ids]
        step_fails = all(outcome.is_final for outcome in outcomes) and RunTaskStatus.COMPLETED not in outcomes
        consequence = "; no agency is left to do the step, so it fails" if step_fails else ""
        self.commands.append(
            Escalate(step_id, task_id, 0, EscalationTarget.DUTY_OFFICER,
                     f"task rejected by the agency: {reason}{consequence}")
        )
        if step_fails:  # one escalation says both; the duty officer is not told twice
            self._fail_step(self._step(step_id), "every agency rejected the task", escalate=False)
        else:
            self._finish_step_if_settled(step_id)
        self._settle()

    def decide(self, step_id: str, option: str) -> None:
        step = self._step(step_id)
        if not isinstance(step.action, DecisionAction):
            raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a decision")
        if option not in step.action.options:
            raise SopRuntimeError(
                f"{option!r} is not an option of decision {step_id!r}; options: {', '.join(step.action.options)}"
            )
        state = self.steps[step_id]
        if state.status is StepStatus.DONE and state.outcome == option:
            return
        if state.status is not StepStatus.ACTIVE:
            already = f" (it chose {state.outcome!r})" if state.status is StepStatus.DONE else ""
            raise SopRuntimeError(f"decision {step_id!r} is {state.status.value}, not awaiting a choice{already}")
        self.changed = True
        self._finish_step(step_id, outcome=option)
        self._settle()

    def approve_notice(self, step_id: str, approved_by: str) -> None:
        step, state = self._awaiting_approval(step_id)
        if state is None:
            return
        assert isinstance(step.action, NotifyAction)
        self.changed = True
        self.commands.append(PublishNotice(step_id, step.action.message, approved_by))
        self._finish_step(step_id, outcome=APPROVED)
        self._settle()

    def withhold_notice(self, step_id: str) -> None:
        _, state = self._awaiting_approval(step_id)
        if state is None:
            return
        self.changed = True
        self._finish_step(step_id, outcome=WITHHELD)
        self._settle()

    def confirm_dispatch(self, step_id: str, unit_ids: tuple[str, ...]) -> None:
        step = self._step(step_id)
        if not isinstance(step.action, DispatchAction):
            raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a dispatch")
        state = self.steps[step_id]
        if state.status is StepStatus.DONE and state.unit_ids == tuple(unit_ids):
            return
        if state.status is not StepStatus.ACTIVE or state.task_ids:
            raise SopRuntimeError(f"dispatch {step_id!r} is not awaiting confirmation")
        self.changed = True
        self.steps[step_id] = evolve(state, unit_ids=tuple(unit_ids))
        self._finish_step(step_id, outcome=None)
        self._settle()

    def stand_down(self, reason: str) -> None:
        self.changed = True
        self._close(f"stood down: {reason}")
        self._finish_run(RunStatus.STOOD_DOWN, outcome=reason)

    def fire(self, key: str) -> None:
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
        step = self._step(task.step_id)
        if kind == "ack" and task.status is RunTaskStatus.ASSIGNED:
            self.commands.append(DeadlineMissed(step.step_id, task_id, ACKNOWLEDGEMENT, due_at))
            self._climb(task, f"not acknowledged within {format_duration_s(step.ack_within_s)}")
        elif kind == "complete" and not task.status.is_final:
            self.commands.append(DeadlineMissed(step.step_id, task_id, COMPLETION, due_at))
            self._climb(task, f"not completed within {format_duration_s(step.complete_within_s)}")
        elif kind == "ladder" and self._climbing_for(task_id) is not None:
            self._climb(task, f"still {self._climbing_for(task_id)} overdue")

    def _fire_step_deadline(self, kind: str, step_id: str, due_at: datetime) -> None:
        step = self._step(step_id)
        state = self.steps[step_id]
        if state.status is not StepStatus.ACTIVE:
            return
        deadline = _STEP_DEADLINE_NAMES.get(type(step.action), "completion")
        if kind == "step":
            self.commands.append(DeadlineMissed(step_id, None, deadline, due_at))
            reason = f"{deadline} not given within {format_duration_s(step.complete_within_s)}"
        else:
            reason = f"{deadline} still overdue"
        rung = self._raise_next_rung(self.definition.step_deadline_ladder_for(step_id), state.next_rung,
                                     step_id=step_id, task_id=None, reason=reason, timer=step_ladder_timer(step_id))
        self.steps[step_id] = evolve(state, next_rung=rung + 1)

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
        rung = self._raise_next_rung(self.definition.ladder_for(task.step_id), task.next_rung, step_id=task.step_id,
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
        if state.status is not StepStatus.ACTIVE:
            return
        outcomes = [self.tasks[task_id].status for task_id in state.task_ids]
        if not all(outcome.is_final for outcome in outcomes):
            return
        if RunTaskStatus.COMPLETED in outcomes:
            self._finish_step(step_id, outcome=None)
        else:
            self._fail_step(self._step(step_id), "every agency rejected the task")

    def _finish_step(self, step_id: str, *, outcome: str | None) -> None:
        self.newly_settled.append(step_id)
        if not isinstance(self.definition.step(step_id).action, TaskAction):  # tasks keep no step timers
            self._cancel_step_timers(step_id)
        self.steps[step_id] = evolve(self.steps[step_id], status=StepStatus.DONE, finished_at=self.now, outcome=outcome)

    def _fail_step(self, step: Step, reason: str, *, escalate: bool = True) -> None:
        self.newly_settled.append(step.step_id)
        self.steps[step.step_id] = evolve(
            self.steps[step.step_id], status=StepStatus.FAILED, finished_at=self.now, outcome=reason
        )
        if escalate:
            self.commands.append(Escalate(step.step_id, None, 0, EscalationTarget.DUTY_OFFICER, reason))

    def _settle_step(self, step_id: str, status: StepStatus, reason: str) -> None:
        self.newly_settled.append(step_id)
        self.steps[step_id] = evolve(self.steps[step_id], status=status, finished_at=self.now, outcome=reason)

    def _readiness(self, step: Step) -> tuple[str, str]:
        """Whether a pending step can start: ("ready"|"wait"|"skip"|"block", reason).

        Each predecessor edge is live (done, and the named option chosen), dead (skipped, or
        another option chosen), broken (failed or blocked) or open. An `all` join needs every
        edge live; an `any` join needs one.
        """
        live, dead, broken, open_ = [], [], [], []
        for predecessor in step.after:
            state = self.steps[predecessor.step_id]
            if state.status is StepStatus.DONE:
                chosen = predecessor.option is None or state.outcome == predecessor.option
                (live if chosen else dead).append(predecessor)
            elif state.status in (StepStatus.SKIPPED, StepStatus.CANCELLED):
                dead.append(predecessor)
            elif state.status in (StepStatus.FAILED, StepStatus.BLOCKED):
                broken.append(predecessor)
            else:
                open_.append(predecessor)
        if step.join is JoinRule.ALL:
            if broken:
                return "block", f"waits for {broken[0]}, which {self.steps[broken[0].step_id].status.value}"
            if dead:
                return "skip", f"the branch {dead[0]} was not taken"
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
        definition = self.definition
        steps = self.steps
        position = definition.position_of
        propagated = 0
        while self.status is RunStatus.RUNNING:
            ready: dict[str, Step] = {}
            while True:
                if starting:
                    names = [step.step_id for step in definition.steps if not step.after]
                    starting = False
                else:
                    fresh = self.newly_settled[propagated:]
                    if not fresh:
                        break
                    propagated = len(self.newly_settled)
                    names = sorted({name for settled in fresh for name in definition.successors_of(settled)},
                                   key=position)
                for name in names:
                    if steps[name].status is not StepStatus.PENDING or name in ready:
                        continue
                    step = definition.step(name)
                    verdict, reason = self._readiness(step)
                    if verdict == "wait":
                        continue
                    if verdict == "block":
                        self._settle_step(name, StepStatus.BLOCKED, reason)
                    elif verdict == "skip":
                        self._settle_step(name, StepStatus.SKIPPED, reason)
                    elif step.when is not None and not evaluate(step.when, self.run.incident.fields()):
                        self._settle_step(name, StepStatus.SKIPPED, f"condition false: {step.when_text}")
                    else:
                        ready[name] = step
            if not ready:
                break
            ordered = sorted(ready.values(), key=lambda step: position(step.step_id))
            ends = [step for step in ordered if isinstance(step.action, EndAction)]
            for step in ends[:1] or ordered:
                self._activate(step)
                if self.status is not RunStatus.RUNNING:
                    return
        if not self.newly_settled:
            return  # nothing settled, so the run cannot have become finished
        for state in steps.values():
            if state.status is StepStatus.PENDING or state.status is StepStatus.ACTIVE:
                return
        failed = tuple(
            name for name, state in steps.items() if state.status in (StepStatus.FAILED, StepStatus.BLOCKED)
        )
        self._finish_run(RunStatus.INCOMPLETE if failed else RunStatus.COMPLETED, failed_steps=failed)

    def _activate(self, step: Step) -> None:
        step_id = step.step_id
        self.steps[step_id] = evolve(self.steps[step_id], status=StepStatus.ACTIVE, started_at=self.now)
        action = step.action
        ack_due_at = self.now + timedelta(seconds=step.ack_within_s)
        complete_due_at = self.now + timedelta(seconds=step.complete_within_s)
        if isinstance(action, TaskAction):
            self.commands.append(CreateTask(step_id, action.role, action.instruction, ack_due_at, complete_due_at))
        elif isinstance(action, DecisionAction):
            self.commands.append(AskDecision(step_id, action.question, action.options, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, NotifyAction) and action.public:
            self.commands.append(RequestNoticeApproval(step_id, action.message, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, NotifyAction):
            self.commands.append(SendNotice(step_id, action.roles, action.message))
            self._finish_step(step_id, outcome=None)
        elif isinstance(action, DispatchAction):
            self.commands.append(RequestDispatch(step_id, action.units, ack_due_at, complete_due_at))
            self._start_timer(step_timer(step_id), complete_due_at)
        elif isinstance(action, WaitAction):
            self._start_timer(wait_timer(step_id), self.now + timedelta(seconds=action.duration_s))
        elif isinstance(action, SpawnAction):
            severity = action.severity or self.run.incident.severity
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
                       if state.status is StepStatus.ACTIVE and state.started_at == self.now and not state.task_ids}
        if started_now:
            self.commands = [
                command for command in self.commands
                if not (isinstance(command, (CreateTask, RequestDispatch, AskDecision, RequestNoticeApproval))
                        and command.step_id in started_now)
            ]
        for task_id, task in self.tasks.items():
            if not task.status.is_final:
                self.tasks[task_id] = evolve(task, status=RunTaskStatus.CANCELLED)
                self.commands.append(CancelTask(task_id, reason))
        for step_id, state in self.steps.items():
            if not state.status.is_settled:
                self._settle_step(step_id, StepStatus.CANCELLED, reason)

    def _finish_run(self, status: RunStatus, *, failed_steps: tuple[str, ...] = (), outcome: str = "") -> None:
        self.status = status
        self.finished_at = self.now
        for key in sorted(self.timers):
            self.commands.append(CancelTimer(key))
        self.timers.clear()
        self.commands.append(FinishRun(status, failed_steps, outcome))

    # helpers

    def _awaiting_approval(self, step_id: str) -> tuple[Step, StepState | None]:
        """The public-notice step and its state, or None as state if already settled the same way."""
        step = self._step(step_id)
        if not (isinstance(step.action, NotifyAction) and step.action.public):
            raise SopRuntimeError(f"step {step_id!r} is not a public notice awaiting approval")
        state = self.steps[step_id]
        if state.status is StepStatus.DONE:
            return step, None
        if state.status is not StepStatus.ACTIVE:
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
        for key in (ack_timer(task_id), completion_timer(task_id), ladder_timer(task_id)):
            self._cancel_timer(key)

    def _cancel_step_timers(self, step_id: str) -> None:
        for key in (step_timer(step_id), step_ladder_timer(step_id), wait_timer(step_id)):
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
