"""`when:` conditions: parsed by the engine's own parser, never evaluated as code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_engine import ConditionError, Severity, condition_text, evaluate, parse_condition
from sop_engine.conditions import All, Any_, Comparison, Not, Operator, compile_condition, fields_read, satisfiable
from sop_engine.vocabulary import INCIDENT_FIELDS, INCIDENT_TYPES, FieldKind


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


def _comparisons():
    counts = st.sampled_from([field for field, kind in INCIDENT_FIELDS.items() if kind is FieldKind.COUNT])
    flags = st.sampled_from([field for field, kind in INCIDENT_FIELDS.items() if kind is FieldKind.FLAG])
    ordered = st.sampled_from([Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE])
    equality = st.sampled_from([Operator.EQ, Operator.NE])
    membership = st.sampled_from([Operator.IN, Operator.NOT_IN])
    severities = st.sampled_from(list(Severity))
    types = st.sampled_from(sorted(INCIDENT_TYPES))
    return st.one_of(
        st.builds(Comparison, counts, ordered, st.integers(-2, 12)),
        st.builds(Comparison, counts, membership, st.lists(st.integers(0, 5), min_size=1, max_size=3).map(tuple)),
        st.builds(Comparison, flags, equality, st.booleans()),
        st.builds(Comparison, st.just("severity"), ordered, severities),
        st.builds(Comparison, st.just("severity"), membership, st.lists(severities, min_size=1, max_size=3).map(tuple)),
        st.builds(Comparison, st.just("type"), equality, types),
        st.builds(Comparison, st.just("type"), membership, st.lists(types, min_size=1, max_size=3).map(tuple)),
    )


CONDITIONS = st.recursive(
    _comparisons(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(All, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Any_, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=6,
)
FACTS = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(INCIDENT_TYPES)), "severity": st.sampled_from(list(Severity))},
    optional={"casualties": st.integers(0, 10), "people_trapped": st.integers(0, 10),
              "people_affected": st.integers(0, 10), "hazardous_material": st.booleans(),
              "mass_gathering": st.booleans(), "is_exercise": st.booleans()},
)


@settings(max_examples=300, deadline=None)
@given(condition=CONDITIONS, facts=FACTS)
def test_a_compiled_condition_agrees_with_evaluating_it(condition, facts):
    """The runtime compiles each step's condition once; it must mean exactly what it says."""
    assert compile_condition(condition)(facts) == evaluate(condition, facts)
    assert compile_condition(parse_condition(condition_text(condition)))(facts) == evaluate(condition, facts)
