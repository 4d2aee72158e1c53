"""Trigger rules: what the city's sensor readings mean, decided by a pure engine.

Rules are YAML files (`load_rule_text`, `load_rule_file`), validated with `file:line` messages
like SOPs, frozen once loaded and pinned by version. The engine (`evaluate`, `tick`) takes a
rule's state, a reading (or the time) and `now`, and returns the new state and the outcomes
(`Raised`, `SeverityRaised`, `Cleared`); it does no I/O and reads no clock. The shell
(`coordination.rule_service`) keeps the states in the database and acts on the outcomes through
the same use cases as a person.
"""

from coordination.rules.definition import (
    Action,
    AlertOfficer,
    Band,
    Condition,
    Correlation,
    DeclareIncident,
    Direction,
    MaintenanceTask,
    RateOfChange,
    RuleDefinition,
    RuleRef,
    Staleness,
    Threshold,
)
from coordination.rules.description import describe_rule
from coordination.rules.engine import (
    RuleBook,
    StateKey,
    evaluate,
    evaluate_all,
    evaluate_watched,
    initial_state,
    scope_of,
    takes_readings,
    tick,
    tick_all,
)
from coordination.rules.library import shipped_rule_texts, shipped_rules
from coordination.rules.loader import RuleDefinitionError, load_rule_file, load_rule_text, rule_json_schema
from coordination.rules.observations import Evidence, Observation, SensorStatus
from coordination.rules.outcomes import Cleared, Outcome, Raised, SeverityRaised
from coordination.rules.state import RuleState, state_from_json, state_to_json

__all__ = [
    "Action",
    "AlertOfficer",
    "Band",
    "Cleared",
    "Condition",
    "Correlation",
    "DeclareIncident",
    "Direction",
    "Evidence",
    "MaintenanceTask",
    "Observation",
    "Outcome",
    "RateOfChange",
    "Raised",
    "RuleBook",
    "RuleDefinition",
    "RuleDefinitionError",
    "RuleRef",
    "RuleState",
    "SensorStatus",
    "SeverityRaised",
    "Staleness",
    "StateKey",
    "Threshold",
    "describe_rule",
    "evaluate",
    "evaluate_all",
    "evaluate_watched",
    "initial_state",
    "load_rule_file",
    "load_rule_text",
    "rule_json_schema",
    "scope_of",
    "shipped_rule_texts",
    "shipped_rules",
    "state_from_json",
    "state_to_json",
    "takes_readings",
    "tick",
    "tick_all",
]
