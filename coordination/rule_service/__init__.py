"""The trigger rules' shell: stored versions, states shared by every intake consumer, and the
outcomes acted on through the same use cases as a person (see `coordination.rules` for the
pure engine)."""

from coordination.rule_service.actions import act_on_outcomes, outcome_of, rule_actor
from coordination.rule_service.catalogue import (
    activate_rule_version,
    active_rule_book,
    definition_for,
    definition_of,
    install_shipped_rules,
    retire_rule_version,
    store_rule_version,
)
from coordination.rule_service.consumer import RuleConsumer, evaluate_and_act
from coordination.rule_service.evaluation import evaluate_readings, outcome_key, tick_rules

__all__ = [
    "RuleConsumer",
    "act_on_outcomes",
    "activate_rule_version",
    "active_rule_book",
    "definition_for",
    "definition_of",
    "evaluate_and_act",
    "evaluate_readings",
    "install_shipped_rules",
    "outcome_key",
    "outcome_of",
    "retire_rule_version",
    "rule_actor",
    "store_rule_version",
    "tick_rules",
]
