"""Settling steps: which pending steps start, which are skipped or blocked, and when the run is done."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterable

from sop_engine.commands import (
    AskDecision,
    CommandDevices,
    CreateTask,
    Escalate,
    RequestDispatch,
    RequestNoticeApproval,
    SendNotice,
    SpawnIncident,
)
from sop_engine.definition import (
    DecisionAction,
    DeviceCommandAction,
    DispatchAction,
    EndAction,
    NotifyAction,
    SpawnAction,
    TaskAction,
    WaitAction,
)
from sop_engine.run import RunStatus, evolve
from sop_engine.step_plan import StepPlan
from sop_engine.vocabulary import EscalationTarget
from sop_engine.working import (
    ACTIVE,
    BLOCKED,
    CANCELLED,
    COMPLETED,
    DONE,
    FAILED,
    PENDING,
    REJECTED,
    RUNNING,
    SKIPPED,
    TASK_CANCELLED,
    Working,
    step_timer,
    wait_timer,
)


def finish_step_if_settled(w: Working, step_id: str) -> None:
    state = w.steps[step_id]
    if state.status is not ACTIVE:
        return
    tasks = w.tasks
    any_completed = False
    for task_id in state.task_ids:
        status = tasks[task_id].status
        if status is COMPLETED:
            any_completed = True
        elif status is not REJECTED and status is not TASK_CANCELLED:
            return  # a task is still open
    if any_completed:
        finish_step(w, step_id, outcome=None)
    else:
        fail_step(w, step_id, "every agency rejected the task")


def finish_step(w: Working, step_id: str, *, outcome: str | None) -> None:
    w.newly_settled.append(step_id)
    plan = w.plan.steps[step_id]
    if plan.timers:
        w.cancel_step_timers(plan)
    w.steps[step_id] = evolve(w.steps[step_id], status=DONE, finished_at=w.now, outcome=outcome)


def fail_step(w: Working, step_id: str, reason: str, *, escalate: bool = True) -> None:
    w.newly_settled.append(step_id)
    w.steps[step_id] = evolve(w.steps[step_id], status=FAILED, finished_at=w.now, outcome=reason)
    if escalate:
        w.commands.append(Escalate(step_id, None, 0, EscalationTarget.DUTY_OFFICER, reason))


def settle(w: Working, *, starting: bool = False) -> None:
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
    plans = w.plan.steps
    steps = w.steps
    settled = w.newly_settled
    propagated = 0
    names: tuple[str, ...] | list[str] | None = w.plan.roots if starting else None
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
                if steps[name].status is not PENDING or name in ready:
                    continue
                plan = plans[name]
                if plan.plain_after is not None and plan.when is None:
                    for before in plan.plain_after:
                        if steps[before].status is not DONE:
                            break
                    else:  # every step it waits for is done: the usual way a step becomes ready
                        ready[name] = plan
                        continue
                verdict, reason = _readiness(w, plan)
                if verdict == "wait":
                    continue
                if verdict == "block":
                    w.settle_step(name, BLOCKED, reason)
                elif verdict == "skip":
                    w.settle_step(name, SKIPPED, reason)
                elif plan.when is not None and not plan.when(w.incident_fields()):
                    w.settle_step(name, SKIPPED, f"condition false: {plan.step.when_text}")
                else:
                    ready[name] = plan
            names = None
        if not ready:
            break
        if len(ready) == 1:
            ordered: Iterable[StepPlan] = ready.values()
        else:
            ordered = sorted(ready.values(), key=lambda plan: plan.position)
            if w.plan.has_end:
                ends = [plan for plan in ordered if isinstance(plan.action, EndAction)]
                ordered = ends[:1] or ordered
        for plan in ordered:
            _activate(w, plan)
            if w.status is not RUNNING:
                return
    if not settled:
        return  # nothing settled, so the run cannot have become finished
    for state in reversed(steps.values()):  # later steps are the likelier to be still open
        if state.status is PENDING or state.status is ACTIVE:
            return
    failed = [name for name, state in steps.items() if state.status is FAILED or state.status is BLOCKED]
    w.finish_run(RunStatus.INCOMPLETE if failed else RunStatus.COMPLETED, failed_steps=tuple(failed))


def _readiness(w: Working, plan: StepPlan) -> tuple[str, str]:
    """Whether a pending step can start: ("ready"|"wait"|"skip"|"block", reason).

    Each predecessor edge is live (done, and the named option chosen), dead (skipped, or
    another option chosen), broken (failed or blocked) or open. An `all` join needs every
    edge live; an `any` join needs one.
    """
    steps = w.steps
    if plan.plain_after is not None:  # an `all` join on steps alone: the same rules, no lists
        dead, waiting = None, False
        for name in plan.plain_after:
            status = steps[name].status
            if status is DONE:
                continue
            if status is FAILED or status is BLOCKED:
                return "block", f"waits for {name}, which {status.value}"
            if status is SKIPPED or status is CANCELLED:
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
        if state.status is DONE:
            chosen = predecessor.option is None or state.outcome == predecessor.option
            (live if chosen else dead_edges).append(predecessor)
        elif state.status in (SKIPPED, CANCELLED):
            dead_edges.append(predecessor)
        elif state.status in (FAILED, BLOCKED):
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


def _activate(w: Working, plan: StepPlan) -> None:
    step_id = plan.step_id
    now = w.now
    w.steps[step_id] = evolve(w.steps[step_id], status=ACTIVE, started_at=now)
    action = plan.action
    if isinstance(action, TaskAction):
        w.commands.append(
            CreateTask(step_id, action.role, action.instruction, now + plan.ack_delta, now + plan.complete_delta)
        )
    elif isinstance(action, DecisionAction):
        complete_due_at = now + plan.complete_delta
        w.commands.append(AskDecision(step_id, action.question, action.options, complete_due_at))
        w.start_timer(step_timer(step_id), complete_due_at)
    elif isinstance(action, NotifyAction) and action.public:
        complete_due_at = now + plan.complete_delta
        w.commands.append(RequestNoticeApproval(step_id, action.message, complete_due_at))
        w.start_timer(step_timer(step_id), complete_due_at)
    elif isinstance(action, NotifyAction):
        w.commands.append(SendNotice(step_id, action.roles, action.message))
        finish_step(w, step_id, outcome=None)
    elif isinstance(action, DispatchAction):
        complete_due_at = now + plan.complete_delta
        w.commands.append(RequestDispatch(step_id, action.units, now + plan.ack_delta, complete_due_at))
        w.start_timer(step_timer(step_id), complete_due_at)
    elif isinstance(action, DeviceCommandAction):
        complete_due_at = now + plan.complete_delta
        w.commands.append(CommandDevices(step_id, action.device_kind, action.device_ids, action.within_m,
                                         action.action, dict(action.payload), complete_due_at))
        w.start_timer(step_timer(step_id), complete_due_at)
    elif isinstance(action, WaitAction):
        w.start_timer(wait_timer(step_id), now + timedelta(seconds=action.duration_s))
    elif isinstance(action, SpawnAction):
        severity = action.severity or w.incident.severity
        w.commands.append(SpawnIncident(step_id, action.incident_type, severity))
        finish_step(w, step_id, outcome=None)
    elif isinstance(action, EndAction):
        finish_step(w, step_id, outcome=action.outcome)
        w.close(f"the SOP ended at step {step_id!r} ({action.outcome})")
        w.finish_run(RunStatus.COMPLETED, outcome=action.outcome)
