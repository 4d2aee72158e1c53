"""Remembered dispatch plans: the production policy is pure, so the same question has the same answer.

A drill asks the policy (`recommend_greedy` or `recommend_optimal`) for a plan every time a
demand arrives or a unit comes free. The plan depends only on the demands (where, what, how
urgent, in order) and the units (type, place, status, commitment); incident ids are labels the
policies carry through, never compare, so the memo is asked with a `Situation` per demand and
names the demands by position itself (building `Demand` values only when the policy is asked).
Small fleets see the same situation again and again (an M/M/c queue: two units at one depot),
so a replication keeps the plans it has been given, with assignments named by demand position,
and reuses one when the situation recurs. Large fleets
rarely repeat: after `TRIAL_PLANS` situations with almost no reuse the memo stops looking.
Either way every plan is the policy's own answer to the same question.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from coordination.planner import Demand, Plan, Unit

MAX_PLANS = 4096
"""Plans kept (least recently used dropped): a few megabytes at most."""

TRIAL_PLANS = 500
"""Situations after which a memo that has almost never been reused stops looking (a large fleet
never repeats itself, and hashing 300 units per re-plan then costs more than it saves)."""

Assignment = tuple[int, str, str]
"""(demand position, unit id, need)."""

Situation = tuple[Hashable, tuple[tuple[str, int], ...], int]
"""One waiting demand as the policy sees it: (road node, needs sorted by name, priority)."""


class PlanMemo:
    """A replication's remembered plans, looked up by the situation they answered."""

    def __init__(self, policy: Callable[[list[Demand], list[Unit]], Plan]):
        self._policy = policy
        self._plans: OrderedDict[Hashable, tuple[Assignment, ...]] = OrderedDict()
        self.asked = 0
        """Situations planned; `computed` of them went to the policy, the rest were remembered."""
        self.computed = 0

    def assignments(self, situation: Sequence[Situation], units: Sequence[Unit]) -> tuple[Assignment, ...]:
        """The policy's assignments for the waiting demands and `units`, as (demand position, unit id, need)."""
        self.asked += 1
        if self.asked > TRIAL_PLANS and self.computed > 0.95 * self.asked:
            self.computed += 1
            return self._plan(situation, units)
        key = (tuple(situation), tuple(units))
        known = self._plans.get(key)
        if known is not None:
            self._plans.move_to_end(key)
            return known
        self.computed += 1
        known = self._plan(situation, units)
        self._plans[key] = known
        if len(self._plans) > MAX_PLANS:
            self._plans.popitem(last=False)
        return known

    def _plan(self, situation: Sequence[Situation], units: Sequence[Unit]) -> tuple[Assignment, ...]:
        demands = [Demand(incident_id=str(position), node=node, needs=needs, priority=priority)
                   for position, (node, needs, priority) in enumerate(situation)]
        plan = self._policy(demands, list(units))
        return tuple((int(a.incident_id), a.unit_id, a.need) for a in plan.assignments)
