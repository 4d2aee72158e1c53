"""What a dispatch policy returns: a plan, its explanation, and why some needs stay unserved.

Every outcome is a value. A partial plan (not enough units) and a solver that did not finish
are statuses on the plan, never an exception or `None`, so the duty officer always sees the
best recommendation there is and the reason it falls short.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum


class PlanStatus(str, Enum):
    COMPLETE = "complete"
    """Every need of every demand is met."""
    PARTIAL = "partial"
    """Some needs are unserved; `Plan.unserved` says which and why."""
    INFEASIBLE = "infeasible"
    """A required coverage rule cannot be kept; the plan is the best one that relaxes it, and
    `Plan.uncovered` names the zones left without cover."""


class PlanMethod(str, Enum):
    MIN_COST_FLOW = "min_cost_flow"
    """Exact: OR-Tools min-cost flow, proven optimal."""
    GREEDY = "greedy"
    """Closest available unit, most urgent demand first."""
    CP_SAT = "cp_sat"
    """OR-Tools CP-SAT with the coverage side constraints, time-limited; `Plan.gap` is its proven gap."""
    GREEDY_FALLBACK = "greedy_fallback"
    """The exact solver did not return a plan; this is the greedy plan instead."""


class UnservedReason(str, Enum):
    NO_UNIT_OF_TYPE = "no_unit_of_type"
    """No assignable unit anywhere can meet this need."""
    OUT_OF_REACH = "out_of_reach"
    """Units that could meet it exist, but none within the maximum travel time (or by road)."""
    UNITS_EXHAUSTED = "units_exhausted"
    """Reachable units exist but all are sent to demands where they count for more."""


@dataclass(frozen=True)
class CoverageRule:
    """Keep at least one free unit meeting `need` within `within_s` of every zone.

    zones: road nodes standing for the zones (their centroids, or their stations).
    standby_nodes: where a free unit may be moved up to refill a gap (stations, standby points).
    required: a hard rule: a plan that breaks it is INFEASIBLE (with the best relaxed plan);
        otherwise each zone left uncovered costs `uncovered_cost` in the objective.
    uncovered_cost: priority-weighted seconds one uncovered zone costs (default: an hour of a
        priority-1 call's delay, so a unit is not pulled across the city to save a few seconds).
    """

    need: str
    within_s: float
    zones: tuple[Hashable, ...]
    standby_nodes: tuple[Hashable, ...] = ()
    required: bool = False
    uncovered_cost: int = 3600


@dataclass(frozen=True)
class DispatchOptions:
    """Knobs of a dispatch policy.

    max_travel_s: never recommend a unit further than this (None: no limit).
    preempt_min_priority: units already dispatched or en route to a demand of lower priority may
        be diverted, but only to a demand of at least this priority (None: never pre-empt).
    preempt_cost_s: what diverting a unit costs: its present incident's priority times this
        many seconds (that incident waits for another unit), so a unit is diverted only when it
        gains more than that.
    coverage: rules that keep areas covered; with any, the plan comes from CP-SAT.
    time_limit_s: the CP-SAT solver's limit; the best plan found by then is returned with its gap.
    """

    max_travel_s: float | None = None
    preempt_min_priority: int | None = None
    preempt_cost_s: int = 600
    coverage: tuple[CoverageRule, ...] = ()
    time_limit_s: float = 2.0


@dataclass(frozen=True)
class Assignment:
    """One unit sent to one need of one demand, arriving after `eta_s` seconds."""

    unit_id: str
    incident_id: str
    need: str
    eta_s: int
    preempted: bool = False
    """The unit was committed to lower-priority work and is diverted."""


@dataclass(frozen=True)
class UnservedNeed:
    """Units of one need that a demand will not get from this plan, and why."""

    incident_id: str
    need: str
    count: int
    reason: UnservedReason


@dataclass(frozen=True)
class MoveUp:
    """A free unit moved to a standby point so that zones keep their cover."""

    unit_id: str
    to_node: Hashable
    travel_s: int
    need: str
    zones: tuple[Hashable, ...]
    """The zones of the rule it keeps covered from there."""


@dataclass(frozen=True)
class UncoveredZone:
    """A zone left without a free unit meeting `need` within the rule's time."""

    need: str
    zone: Hashable
    required: bool


@dataclass(frozen=True)
class AssignmentExplanation:
    """Why this unit: its rank by travel time for this need and what the closest would have cost.

    closest_unit_id / closest_eta_s: the closest unit that could have met the need.
    extra_s: how much longer this unit takes than the closest one (0 when it is the closest).
    closest_sent_to: where the plan sends the closest unit instead ('' if unused or the same).
    """

    unit_id: str
    incident_id: str
    need: str
    eta_s: int
    rank: int
    closest_unit_id: str
    closest_eta_s: int
    extra_s: int
    closest_sent_to: str
    text: str


@dataclass(frozen=True)
class Plan:
    """A dispatch recommendation for all open demands at once.

    objective: priority-weighted response time, sum of priority x ETA over the assignments.
    unserved_weight: sum of priority x count over the unserved needs; the exact policy makes
        this as small as possible before it looks at response time.
    baseline_objective / baseline_unserved_weight: the same measures for the greedy
        closest-unit plan on the same input, so the gain can be shown beside the plan.
    solver_status: what the solver reported (for the greedy policy, ``"greedy"``).
    The exact policies minimise, in order: unserved weight; then priority-weighted response
    time plus pre-emption, uncovered-zone and move-up costs.
    """

    status: PlanStatus
    method: PlanMethod
    assignments: tuple[Assignment, ...]
    unserved: tuple[UnservedNeed, ...]
    objective: int
    unserved_weight: int
    proven_optimal: bool
    solver_status: str
    explanations: tuple[AssignmentExplanation, ...] = ()
    baseline_objective: int | None = None
    baseline_unserved_weight: int | None = None
    preemption_cost: int = 0
    """Sum of the cost of diverting units from lesser work (see `DispatchOptions.preempt_cost_s`)."""
    move_ups: tuple[MoveUp, ...] = ()
    uncovered: tuple[UncoveredZone, ...] = ()
    gap: float | None = None
    """Proven relative gap of the solver's objective (0 when optimal; None for greedy)."""

    def units_for(self, incident_id: str) -> tuple[str, ...]:
        """Return the ids of the units sent to one incident."""
        return tuple(a.unit_id for a in self.assignments if a.incident_id == incident_id)
