"""`when:` conditions: parsed by the engine's own parser, never evaluated as code."""

from __future__ import annotations

import pytest

from sop_engine import ConditionError, Severity, condition_text, evaluate, parse_condition
from sop_engine.conditions import fields_read, satisfiable


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        ("incident.severity >= severe", {"severity": Severity.EXTREME}, True),
        ("incident.severity >= severe", {"severity": Severity.MODERATE}, False),
        ("incident.severity < severe", {"severity": "minor"}, True),
        ("incident.casualties > 0", {}, False),
        ("incident.casualties > 0", {"casualties": 3}, True),
        ("incident.hazardous_material", {"hazardous_material": True}, True),
        ("not incident.hazardous_material", {}, True),
        ("incident.type in [flood, waterlogging]", {"type": "waterlogging"}, True),
        ("incident.type not in [flood, waterlogging]", {"type": "flood"}, False),
        ("incident.people_trapped >= 1 or incident.casualties >= 5", {"casualties": 5}, True),
        ("incident.severity == extreme and (incident.mass_gathering or incident.people_affected > 1000)",
         {"severity": "extreme", "people_affected": 5000}, True),
        ("incident.is_exercise == false", {"is_exercise": True}, False),
    ],
)
def test_conditions_compare_incident_fields_with_literals(text, facts, expected):
    assert evaluate(parse_condition(text), facts) is expected


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("incident.colour == red", "unknown field 'incident.colour'", 1),
        ("incident.severity >= catastrophic", "unknown severity 'catastrophic'", 22),
        ("incident.type > flood", "can only be compared with == or !=", 15),
        ("incident.casualties > many", "is a number", 23),
        ("incident.type == volcano", "unknown value 'volcano'", 18),
        ("severity >= severe", "expected an incident field", 1),
        ("(incident.hazardous_material", "missing ')'", 29),
        ("incident.casualties >", "expected a value", 22),
        ("__import__('os').system('true')", "unexpected character '.'", 17),
        ("incident.casualties > 1; drop", "unexpected character ';'", 24),
        ("", "empty", 1),
    ],
)
def test_a_bad_condition_names_the_problem_and_its_column(text, message, column):
    with pytest.raises(ConditionError) as raised:
        parse_condition(text)
    assert message in str(raised.value)
    assert raised.value.column == column


def test_a_condition_prints_back_in_a_canonical_form():
    condition = parse_condition("not (incident.casualties>0)  and incident.type in [ flood,waterlogging ]")
    assert condition_text(condition) == "not incident.casualties > 0 and incident.type in [flood, waterlogging]"
    assert parse_condition(condition_text(condition)) == condition


def test_the_fields_a_condition_reads_are_listed():
    condition = parse_condition("incident.severity >= severe or incident.casualties > 2")
    assert fields_read(condition) == {"severity", "casualties"}


@pytest.mark.parametrize(
    ("text", "domains", "expected"),
    [
        ("incident.casualties > 3 and incident.casualties < 4", {}, True),
        ("incident.casualties > 3 and incident.casualties < 3", {}, False),
        ("incident.casualties >= 3 and incident.casualties <= 3", {}, True),
        ("incident.type == gas_leak", {"type": ["flood"]}, False),
        ("incident.severity < moderate", {"severity": [Severity.SEVERE, Severity.EXTREME]}, False),
        ("incident.hazardous_material and not incident.hazardous_material", {}, False),
        ("incident.people_affected > 100000 or incident.mass_gathering", {}, True),
    ],
)
def test_satisfiability_is_decided_exactly(text, domains, expected):
    assert satisfiable(parse_condition(text), domains) is expected
