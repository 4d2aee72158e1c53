"""Deadlines and escalation ladders: what a fired timer does to a run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sop_engine.commands import DeadlineMissed, Escalate
from sop_engine.definition import DecisionAction, DeviceCommandAction, DispatchAction, EscalationRung, NotifyAction
from sop_engine.durations import format_duration_s
from sop_engine.events import TimerFired
from sop_engine.run import TaskState, evolve
from sop_engine.settling import finish_step, settle
from sop_engine.working import (
    ACKNOWLEDGEMENT,
    ACTIVE,
    ASSIGNED,
    COMPLETION,
    Working,
    completion_timer,
    ladder_timer,
    step_ladder_timer,
)

_STEP_DEADLINE_NAMES = {DecisionAction: "decision", NotifyAction: "approval", DispatchAction: "confirmation",
                        DeviceCommandAction: "confirmation"}


def fire(w: Working, event: TimerFired) -> None:
    key = event.key
    if key not in w.timers:
        return  # cancelled or already fired: a late or repeated tick changes nothing
    w.changed = True
    due_at = w.timers.pop(key)
    kind, _, name = key.partition(":")
    if kind == "wait":
        finish_step(w, name, outcome=None)
        settle(w)
    elif kind in ("step", "step-ladder"):
        _fire_step_deadline(w, kind, name, due_at)
    else:
        _fire_task_deadline(w, kind, name, due_at)


def _fire_task_deadline(w: Working, kind: str, task_id: str, due_at: datetime) -> None:
    task = w.task(task_id)
    step = w.plan_step(task.step_id).step
    if kind == "ack" and task.status is ASSIGNED:
        w.commands.append(DeadlineMissed(step.step_id, task_id, ACKNOWLEDGEMENT, due_at))
        _climb(w, task, f"not acknowledged within {format_duration_s(step.ack_within_s)}")
    elif kind == "complete" and not task.status.is_final:
        w.commands.append(DeadlineMissed(step.step_id, task_id, COMPLETION, due_at))
        _climb(w, task, f"not completed within {format_duration_s(step.complete_within_s)}")
    elif kind == "ladder" and climbing_for(w, task_id) is not None:
        _climb(w, task, f"still {climbing_for(w, task_id)} overdue")


def _fire_step_deadline(w: Working, kind: str, step_id: str, due_at: datetime) -> None:
    step = w.plan_step(step_id).step
    state = w.steps[step_id]
    if state.status is not ACTIVE:
        return
    deadline = _STEP_DEADLINE_NAMES.get(type(step.action), "completion")
    if kind == "step":
        w.commands.append(DeadlineMissed(step_id, None, deadline, due_at))
        reason = f"{deadline} not given within {format_duration_s(step.complete_within_s)}"
    else:
        reason = f"{deadline} still overdue"
    rung = _raise_next_rung(w, w.run.definition.step_deadline_ladder_for(step_id), state.next_rung,
                                 step_id=step_id, task_id=None, reason=reason, timer=step_ladder_timer(step_id))
    w.steps[step_id] = evolve(state, next_rung=rung + 1)


def climbing_for(w: Working, task_id: str) -> str | None:
    """What the ladder for this task is climbing about, or None once that is resolved."""
    task = w.tasks[task_id]
    if task.next_rung == 0 or task.status.is_final:
        return None
    if task.status is ASSIGNED:
        return ACKNOWLEDGEMENT
    completion_due = w.timers.get(completion_timer(task_id))
    return COMPLETION if completion_due is None else None


def _climb(w: Working, task: TaskState, reason: str) -> None:
    rung = _raise_next_rung(w, w.run.definition.ladder_for(task.step_id), task.next_rung, step_id=task.step_id,
                                 task_id=task.task_id, reason=reason, timer=ladder_timer(task.task_id))
    w.tasks[task.task_id] = evolve(task, next_rung=rung + 1)


def _raise_next_rung(w: Working, ladder: tuple[EscalationRung, ...], next_rung: int, *, step_id: str,
                     task_id: str | None, reason: str, timer: str) -> int:
    """Escalate to the next rung (the top one again once climbed), start the timer for the
    rung after it, and return the rung raised."""
    rung = min(next_rung, len(ladder) - 1)
    w.commands.append(Escalate(step_id, task_id, rung, ladder[rung].target, reason))
    if rung + 1 < len(ladder):
        w.start_timer(timer, w.now + timedelta(seconds=ladder[rung].within_s))
    return rung
