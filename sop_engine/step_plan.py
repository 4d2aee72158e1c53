"""What the runtime needs of each step of an SOP version, worked out once and kept on it.

A drill or a busy day feeds the runtime thousands of events a second, and most of them touch
a step or two. Finding a step's successors, turning its deadlines into `timedelta`s, spelling
its timer names and walking its condition tree on every event cost more than the decisions
themselves, so a `SopPlan` holds them all, built the first time a definition is run and
cached on the (frozen, shared) definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping

from sop_engine.conditions import Predicate, compile_condition
from sop_engine.definition import (
    Action,
    DispatchAction,
    EndAction,
    JoinRule,
    Predecessor,
    SopDefinition,
    Step,
    TaskAction,
)

STEP_TIMER_PREFIXES = ("step:", "step-ladder:", "wait:")
"""A step's own timers: a decision, approval or dispatch deadline, its ladder, a wait."""


@dataclass(frozen=True, slots=True)
class StepPlan:
    """One step, with everything the runtime looks up about it precomputed."""

    step: Step
    step_id: str
    position: int
    """Where the step is written: ready steps start in this order."""
    action: Action
    takes_tasks: bool
    """A task step, or a dispatch step that may fall back to tasks."""
    after: tuple[Predecessor, ...]
    plain_after: tuple[str, ...] | None
    """The predecessors' ids when the step is an `all` join naming no decision option (the
    usual case, decided by looking at statuses alone); else None."""
    join_all: bool
    when: Predicate | None
    ack_delta: timedelta
    complete_delta: timedelta
    timers: tuple[str, ...]
    """The names of the step's own timers (see STEP_TIMER_PREFIXES); none for a task step,
    whose deadlines are its tasks'."""
    successors: tuple[str, ...]
    """The steps that wait for this one, in the order they are written."""


@dataclass(frozen=True, slots=True)
class SopPlan:
    steps: Mapping[str, StepPlan]
    roots: tuple[str, ...]
    """Steps that wait for nothing, in the order they are written: they start with the run."""
    has_end: bool
    """Whether any step is an `end` step (which, when ready, runs alone)."""


def plan_of(definition: SopDefinition) -> SopPlan:
    """Return the plan of `definition`, building it on first use."""
    plan = definition._plan
    if plan is None:
        plan = _build(definition)
        object.__setattr__(definition, "_plan", plan)  # a cache of derived values, not state
    return plan


def _build(definition: SopDefinition) -> SopPlan:
    steps: dict[str, StepPlan] = {}
    for step in definition.steps:
        if step.step_id in steps:
            continue  # the validator refuses duplicates; the first one wins, as in `definition.step`
        plain = step.join is JoinRule.ALL and all(before.option is None for before in step.after)
        steps[step.step_id] = StepPlan(
            step=step,
            step_id=step.step_id,
            position=definition.position_of(step.step_id),
            action=step.action,
            takes_tasks=isinstance(step.action, (TaskAction, DispatchAction)),
            after=step.after,
            plain_after=tuple(before.step_id for before in step.after) if plain else None,
            join_all=step.join is JoinRule.ALL,
            when=compile_condition(step.when) if step.when is not None else None,
            ack_delta=timedelta(seconds=step.ack_within_s),
            complete_delta=timedelta(seconds=step.complete_within_s),
            timers=() if isinstance(step.action, TaskAction) else tuple(
                prefix + step.step_id for prefix in STEP_TIMER_PREFIXES
            ),
            successors=definition.successors_of(step.step_id),
        )
    roots = tuple(step.step_id for step in definition.steps if not step.after)
    has_end = any(isinstance(step.action, EndAction) for step in definition.steps)
    return SopPlan(steps=steps, roots=roots, has_end=has_end)
