"""The rule engine as an intake consumer: committed new readings in, decisions acted on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from coordination.clock import Clock
from coordination.duplicates import DuplicatePolicy
from coordination.rule_service.actions import act_on_outcomes
from coordination.rule_service.evaluation import evaluate_readings
from coordination.rules import Observation
from coordination.store import Store


@dataclass(frozen=True)
class RuleConsumer:
    """Hands each batch of committed readings to the rules, then acts on what they decided.

    The evaluation and the acting are two transactions: readings never wait for the timeline's
    writer lock, and an outcome decided but not yet acted on when a process stops waits in
    `rule_outcomes` for the next batch or the worker's tick.
    """

    observation_of: Callable[[Any], Observation]
    """Turns one reading of the intake into what the rules read."""
    duplicates: DuplicatePolicy = DuplicatePolicy()

    def on_readings(self, *, store: Store, clock: Clock, readings: Sequence[Any]) -> int:
        """Evaluate the readings; return how many outcomes were acted on."""
        decided = evaluate_readings(store=store, clock=clock, readings=[self.observation_of(item) for item in readings])
        if not decided:
            return 0
        return act_on_outcomes(store=store, clock=clock, duplicates=self.duplicates)


def evaluate_and_act(*, store: Store, clock: Clock, readings: Iterable[Observation],
                     duplicates: DuplicatePolicy = DuplicatePolicy()) -> int:
    """Evaluate observations already in the rules' shape and act on what they decide."""
    decided = evaluate_readings(store=store, clock=clock, readings=list(readings))
    return act_on_outcomes(store=store, clock=clock, duplicates=duplicates) if decided else 0
