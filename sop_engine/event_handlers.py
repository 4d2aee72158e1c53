"""What each kind of event does to a run (timers fired are `deadlines.fire`)."""

from __future__ import annotations

from sop_engine.commands import Escalate, PublishNotice, StartTimer
from sop_engine.definition import DecisionAction, DeviceCommandAction, DispatchAction, NotifyAction, Step, TaskAction
from sop_engine.errors import SopRuntimeError
from sop_engine.events import (
    DecisionTaken,
    DeviceAnswered,
    DevicesCommanded,
    DispatchConfirmed,
    IncidentRevised,
    NoticeApproved,
    NoticeWithheld,
    RunStarted,
    StoodDown,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
)
from sop_engine.deadlines import climbing_for
from sop_engine.run import RunStatus, StepState, StepStatus, TaskState, evolve
from sop_engine.settling import fail_step, finish_step, finish_step_if_settled, settle
from sop_engine.vocabulary import EscalationTarget
from sop_engine.working import (
    ACKNOWLEDGED,
    ACKNOWLEDGEMENT,
    ACTIVE,
    ASSIGNED,
    COMPLETED,
    DONE,
    REJECTED,
    TASK_CANCELLED,
    Working,
    ack_timer,
    ladder_timer,
)

APPROVED = "approved"
WITHHELD = "withheld"

_NOT_STARTED = StepState()
"""Every step of a run that has just started (frozen, so one value serves them all)."""


def start(w: Working, event: RunStarted) -> None:
    if w.started_at is not None:
        raise SopRuntimeError(f"run {w.run.run_id} has already started")
    w.changed = True
    w.started_at = w.now
    steps = w.steps
    for step_id in w.plan.steps:
        steps[step_id] = _NOT_STARTED
    settle(w, starting=True)


def assign(w: Working, event: TasksAssigned) -> None:
    step_id, task_ids = event.step_id, tuple(event.task_ids)
    plan = w.plan.steps.get(step_id) or w.plan_step(step_id)
    state = w.steps[step_id]
    if not plan.takes_tasks:
        raise SopRuntimeError(f"step {step_id!r} is a {plan.step.kind} step; it has no tasks")
    if state.status is not ACTIVE or state.task_ids or state.unit_ids:
        if state.task_ids == task_ids:
            return
        raise SopRuntimeError(f"step {step_id!r} of run {w.run.run_id} is not waiting for tasks")
    w.changed = True
    w.steps[step_id] = evolve(state, task_ids=task_ids)
    if plan.timers:  # a dispatch falling back to tasks: its confirmation deadline is over
        w.cancel_step_timers(plan)
    if not task_ids:
        fail_step(w, step_id, _no_agency_reason(w, plan.step))
        settle(w)
        return
    started_at = state.started_at
    assert started_at is not None
    ack_due_at, complete_due_at = started_at + plan.ack_delta, started_at + plan.complete_delta
    tasks, timers, commands = w.tasks, w.timers, w.commands
    for task_id in task_ids:
        if task_id in tasks:
            raise SopRuntimeError(f"task {task_id} is already part of run {w.run.run_id}")
        tasks[task_id] = TaskState(task_id, step_id)
        key = "ack:" + task_id  # ack_timer(task_id)
        timers[key] = ack_due_at
        commands.append(StartTimer(key, ack_due_at))
        key = "complete:" + task_id  # completion_timer(task_id)
        timers[key] = complete_due_at
        commands.append(StartTimer(key, complete_due_at))


def acknowledge(w: Working, event: TaskAcknowledged) -> None:
    task_id = event.task_id
    task = w.task(task_id)
    if task.status is not ASSIGNED:
        return
    w.changed = True
    ladder_was_climbing = climbing_for(w, task_id) == ACKNOWLEDGEMENT
    w.tasks[task_id] = evolve(task, status=ACKNOWLEDGED)
    w.cancel_timer(ack_timer(task_id))
    if ladder_was_climbing:
        w.cancel_timer(ladder_timer(task_id))


def complete(w: Working, event: TaskCompleted) -> None:
    task_id = event.task_id
    task = w.tasks.get(task_id) or w.task(task_id)
    status = task.status
    if status is COMPLETED or status is REJECTED or status is TASK_CANCELLED:
        return
    w.changed = True
    w.tasks[task_id] = evolve(task, status=COMPLETED)
    w.cancel_task_timers(task_id)
    finish_step_if_settled(w, task.step_id)
    settle(w)


def reject(w: Working, event: TaskRejected) -> None:
    task_id = event.task_id
    task = w.task(task_id)
    if task.status.is_final:
        return
    w.changed = True
    w.tasks[task_id] = evolve(task, status=REJECTED)
    w.cancel_task_timers(task_id)
    step_id = task.step_id
    outcomes = [w.tasks[other].status for other in w.steps[step_id].task_ids]
    step_fails = all(outcome.is_final for outcome in outcomes) and COMPLETED not in outcomes
    consequence = "; no agency is left to do the step, so it fails" if step_fails else ""
    w.commands.append(
        Escalate(step_id, task_id, 0, EscalationTarget.DUTY_OFFICER,
                 f"task rejected by the agency: {event.reason}{consequence}")
    )
    if step_fails:  # one escalation says both; the duty officer is not told twice
        fail_step(w, step_id, "every agency rejected the task", escalate=False)
    else:
        finish_step_if_settled(w, step_id)
    settle(w)


def decide(w: Working, event: DecisionTaken) -> None:
    step_id, option = event.step_id, event.option
    step = w.plan_step(step_id).step
    if not isinstance(step.action, DecisionAction):
        raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a decision")
    if option not in step.action.options:
        raise SopRuntimeError(
            f"{option!r} is not an option of decision {step_id!r}; options: {', '.join(step.action.options)}"
        )
    state = w.steps[step_id]
    if state.status is DONE and state.outcome == option:
        return
    if state.status is not ACTIVE:
        already = f" (it chose {state.outcome!r})" if state.status is DONE else ""
        raise SopRuntimeError(f"decision {step_id!r} is {state.status.value}, not awaiting a choice{already}")
    w.changed = True
    finish_step(w, step_id, outcome=option)
    settle(w)


def approve_notice(w: Working, event: NoticeApproved) -> None:
    step_id = event.step_id
    step, state = _awaiting_approval(w, step_id)
    if state is None:
        return
    assert isinstance(step.action, NotifyAction)
    w.changed = True
    w.commands.append(PublishNotice(step_id, step.action.message, event.by))
    finish_step(w, step_id, outcome=APPROVED)
    settle(w)


def withhold_notice(w: Working, event: NoticeWithheld) -> None:
    _, state = _awaiting_approval(w, event.step_id)
    if state is None:
        return
    w.changed = True
    finish_step(w, event.step_id, outcome=WITHHELD)
    settle(w)


def confirm_dispatch(w: Working, event: DispatchConfirmed) -> None:
    step_id, unit_ids = event.step_id, tuple(event.unit_ids)
    step = w.plan_step(step_id).step
    if not isinstance(step.action, DispatchAction):
        raise SopRuntimeError(f"step {step_id!r} is a {step.kind} step, not a dispatch")
    state = w.steps[step_id]
    if state.status is DONE and state.unit_ids == unit_ids:
        return
    if state.status is not ACTIVE or state.task_ids:
        raise SopRuntimeError(f"dispatch {step_id!r} is not awaiting confirmation")
    w.changed = True
    w.steps[step_id] = evolve(state, unit_ids=unit_ids)
    finish_step(w, step_id, outcome=None)
    settle(w)


def devices_commanded(w: Working, event: DevicesCommanded) -> None:
    step_id, command_ids = event.step_id, tuple(event.command_ids)
    plan = w.plan_step(step_id)
    action = plan.step.action
    if not isinstance(action, DeviceCommandAction):
        raise SopRuntimeError(f"step {step_id!r} is a {plan.step.kind} step, not a device command")
    state = w.steps[step_id]
    if state.command_ids == command_ids and (command_ids or state.status is not ACTIVE):
        return  # told twice
    if state.status is not ACTIVE or state.command_ids:
        raise SopRuntimeError(f"command step {step_id!r} of run {w.run.run_id} is not waiting to be sent")
    w.changed = True
    if not command_ids and action.skip_if_none:
        w.cancel_step_timers(plan)
        w.settle_step(step_id, StepStatus.SKIPPED, f"nothing to command: {action.none_found_text}")
        settle(w)
        return
    if not command_ids:
        w.cancel_step_timers(plan)
        fail_step(w, step_id, f"no device to command: {action.none_found_text}", escalate=False)
        _escalate_device_trouble(w, step_id, f"nothing to {action.action.replace('_', ' ')}: "
                                 f"{action.none_found_text}; the step fails")
        settle(w)
        return
    w.steps[step_id] = evolve(state, command_ids=command_ids)


def device_answered(w: Working, event: DeviceAnswered) -> None:
    command_id = event.command_id
    step_id, state = _step_of_command(w, command_id)
    if command_id in state.confirmed_ids or command_id in state.failed_ids or state.status is not ACTIVE:
        return  # answered already, or the step settled without it (stood down, a deadline long past)
    w.changed = True
    if event.confirmed:
        state = evolve(state, confirmed_ids=state.confirmed_ids + (command_id,))
    else:
        state = evolve(state, failed_ids=state.failed_ids + (command_id,))
    w.steps[step_id] = state
    answered = len(state.confirmed_ids) + len(state.failed_ids)
    every_one_failed = answered == len(state.command_ids) and not state.confirmed_ids
    # The first failure and the step's failing reach the duty officer; the failures between are on
    # the record but not escalated, so twenty signs behind one dead controller are not twenty alerts.
    if not event.confirmed and (len(state.failed_ids) == 1 or every_one_failed):
        consequence = "; no device carried it out, so the step fails" if every_one_failed else ""
        _escalate_device_trouble(w, step_id, f"device command {command_id} failed: {event.reason or 'no reason given'}"
                                 f"{consequence}")
    if answered < len(state.command_ids):
        return
    if every_one_failed:
        w.cancel_step_timers(w.plan.steps[step_id])
        fail_step(w, step_id, "every device command failed", escalate=False)
    else:
        finish_step(w, step_id, outcome=None)
    settle(w)


def _step_of_command(w: Working, command_id: str) -> tuple[str, StepState]:
    # A run sends a handful of commands at most; a scan beats keeping an index in every run's state.
    for step_id, state in w.steps.items():
        if command_id in state.command_ids:
            return step_id, state
    raise SopRuntimeError(f"device command {command_id} is not part of run {w.run.run_id}")


def _escalate_device_trouble(w: Working, step_id: str, reason: str) -> None:
    """Tell the first rung of the step's ladder at once: a device that cannot act is not worth waiting on."""
    first = w.run.definition.step_deadline_ladder_for(step_id)[0]
    w.commands.append(Escalate(step_id, None, 0, first.target, reason))


def revise(w: Working, event: IncidentRevised) -> None:
    # Nothing is examined here: pending steps read the new facts when a predecessor settles
    # (or never, if none does), and a settled step is not reopened or undone.
    if event.incident == w.incident:
        return
    w.changed = True
    w.incident = event.incident


def stand_down(w: Working, event: StoodDown) -> None:
    w.changed = True
    w.close(f"stood down: {event.reason}")
    w.finish_run(RunStatus.STOOD_DOWN, outcome=event.reason)


def _awaiting_approval(w: Working, step_id: str) -> tuple[Step, StepState | None]:
    """The public-notice step and its state, or None as state if already settled the same way."""
    step = w.plan_step(step_id).step
    if not (isinstance(step.action, NotifyAction) and step.action.public):
        raise SopRuntimeError(f"step {step_id!r} is not a public notice awaiting approval")
    state = w.steps[step_id]
    if state.status is DONE:
        return step, None
    if state.status is not ACTIVE:
        raise SopRuntimeError(f"notice {step_id!r} is {state.status.value}, not awaiting approval")
    return step, state


def _no_agency_reason(w: Working, step: Step) -> str:
    if isinstance(step.action, TaskAction):
        return f"no agency of role {step.action.role.value} covers the incident"
    return "no agency owning the requested units covers the incident"
