"""`when:` conditions: a small, safe expression language over an incident's facts.

    incident.severity >= severe and incident.casualties > 0
    incident.type in [flood, waterlogging] or not incident.hazardous_material

A hand-written recursive-descent parser (no `eval`, nothing an author writes is executed),
producing frozen trees that can be evaluated, listed for the fields they read, and checked for
satisfiability. Every comparison puts an incident field on the left and a literal on the right,
which is what makes satisfiability decidable by trying one value per region between the
literals (see `satisfiable`).
"""

from __future__ import annotations

import operator as _op
import re
from dataclasses import dataclass
from enum import Enum
from itertools import product
from typing import Any, Callable, Iterable, Mapping, Union

from sop_engine.vocabulary import FIELD_CHOICES, INCIDENT_FIELDS, FieldKind, Severity


class ConditionError(ValueError):
    """A condition cannot be parsed or reads an unknown field; `column` is 1-based."""

    def __init__(self, message: str, column: int):
        self.column = column
        super().__init__(f"{message} (column {column})")


class Operator(str, Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"


@dataclass(frozen=True)
class Comparison:
    field: str
    operator: Operator
    value: Any
    """A number, a word (incident type, severity), a bool, or a tuple of those for `in`."""


@dataclass(frozen=True)
class Not:
    operand: "Condition"


@dataclass(frozen=True)
class All:
    operands: tuple["Condition", ...]


@dataclass(frozen=True)
class Any_:
    operands: tuple["Condition", ...]


Condition = Union[Comparison, Not, All, Any_]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?)|(?P<op><=|>=|==|!=|<|>)|(?P<punct>[()\[\],])"
    r"|(?P<string>\"[^\"]*\"|'[^']*')|(?P<word>[A-Za-z_][A-Za-z0-9_.\-]*))"
)
_FIELD_PREFIX = "incident."


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + 1 + (len(text[position:]) - len(text[position:].lstrip()))
            raise ConditionError(f"unexpected character {text[column - 1]!r}", column)
        kind = match.lastgroup or ""
        start = match.start(kind)
        tokens.append(_Token(kind, match.group(kind), start + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def parse_condition(text: str) -> Condition:
    """Parse `text` into a condition tree, checking fields and literals against the vocabulary.

    Raises:
        ConditionError: with the column of the first problem.
    """
    if not text.strip():
        raise ConditionError("the condition is empty", 1)
    parser = _Parser(_tokens(text))
    condition = parser.expression()
    parser.expect_end()
    return condition


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def _is_word(self, word: str) -> bool:
        return self.current.kind == "word" and self.current.text == word

    def expect_end(self) -> None:
        if self.current.kind != "end":
            raise ConditionError(f"unexpected {self.current.text!r}", self.current.column)

    def expression(self) -> Condition:
        operands = [self._conjunction()]
        while self._is_word("or"):
            self._take()
            operands.append(self._conjunction())
        return operands[0] if len(operands) == 1 else Any_(tuple(operands))

    def _conjunction(self) -> Condition:
        operands = [self._negation()]
        while self._is_word("and"):
            self._take()
            operands.append(self._negation())
        return operands[0] if len(operands) == 1 else All(tuple(operands))

    def _negation(self) -> Condition:
        if self._is_word("not"):
            self._take()
            return Not(self._negation())
        return self._primary()

    def _primary(self) -> Condition:
        token = self.current
        if token.kind == "punct" and token.text == "(":
            self._take()
            inner = self.expression()
            if not (self.current.kind == "punct" and self.current.text == ")"):
                raise ConditionError("missing ')'", self.current.column)
            self._take()
            return inner
        if token.kind != "word" or not token.text.startswith(_FIELD_PREFIX):
            raise ConditionError(
                f"expected an incident field such as incident.severity, found {token.text or 'the end'!r}",
                token.column,
            )
        self._take()
        name = token.text.removeprefix(_FIELD_PREFIX)
        kind = INCIDENT_FIELDS.get(name)
        if kind is None:
            known = ", ".join(f"incident.{field}" for field in sorted(INCIDENT_FIELDS))
            raise ConditionError(f"unknown field {token.text!r}; known fields: {known}", token.column)
        operator = self._operator()
        if operator is None:
            if kind is not FieldKind.FLAG:
                raise ConditionError(f"{token.text} must be compared with a value", self.current.column)
            return Comparison(name, Operator.EQ, True)
        operator_column = self.tokens[self.index - 1].column
        if operator in (Operator.IN, Operator.NOT_IN):
            values = tuple(_literal(name, kind, literal) for literal in self._list())
            return Comparison(name, operator, values)
        if kind in (FieldKind.CHOICE, FieldKind.FLAG) and operator not in (Operator.EQ, Operator.NE):
            raise ConditionError(f"{token.text} can only be compared with == or !=", operator_column)
        return Comparison(name, operator, _literal(name, kind, self._take()))

    def _operator(self) -> Operator | None:
        token = self.current
        if token.kind == "op":
            self._take()
            return Operator(token.text)
        if self._is_word("in"):
            self._take()
            return Operator.IN
        if self._is_word("not") and self.tokens[self.index + 1].text == "in":
            self.index += 2
            return Operator.NOT_IN
        return None

    def _list(self) -> list[_Token]:
        if not (self.current.kind == "punct" and self.current.text == "["):
            raise ConditionError("expected a list such as [flood, waterlogging]", self.current.column)
        self._take()
        items: list[_Token] = []
        while not (self.current.kind == "punct" and self.current.text == "]"):
            if self.current.kind == "end":
                raise ConditionError("missing ']'", self.current.column)
            items.append(self._take())
            if self.current.kind == "punct" and self.current.text == ",":
                self._take()
        self._take()
        if not items:
            raise ConditionError("the list is empty", self.current.column)
        return items


def _literal(field: str, kind: FieldKind, token: _Token) -> Any:
    if token.kind in ("end", "punct", "op"):
        raise ConditionError(f"expected a value for incident.{field}, found {token.text or 'the end'!r}", token.column)
    text = token.text.strip("\"'") if token.kind == "string" else token.text
    if kind is FieldKind.COUNT:
        if token.kind != "number":
            raise ConditionError(f"incident.{field} is a number; {text!r} is not", token.column)
        return float(text) if "." in text else int(text)
    if kind is FieldKind.FLAG:
        if text not in ("true", "false"):
            raise ConditionError(f"incident.{field} is true or false; {text!r} is neither", token.column)
        return text == "true"
    if kind is FieldKind.SEVERITY:
        try:
            return Severity(text)
        except ValueError:
            known = ", ".join(severity.value for severity in Severity)
            raise ConditionError(f"unknown severity {text!r}; known: {known}", token.column) from None
    choices = _choices(field)
    if text not in choices:
        raise ConditionError(f"unknown value {text!r} for incident.{field}", token.column)
    return text


def _choices(field: str) -> frozenset[str]:
    return FIELD_CHOICES[field]


def evaluate(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Return whether `condition` holds for an incident whose fields are `facts`.

    A count field the incident did not report is taken as 0, a flag as false: an SOP must
    not wait on a fact nobody supplied.
    """
    if isinstance(condition, All):
        return all(evaluate(operand, facts) for operand in condition.operands)
    if isinstance(condition, Any_):
        return any(evaluate(operand, facts) for operand in condition.operands)
    if isinstance(condition, Not):
        return not evaluate(condition.operand, facts)
    actual = facts.get(condition.field)
    kind = INCIDENT_FIELDS[condition.field]
    if actual is None:
        actual = 0 if kind is FieldKind.COUNT else False if kind is FieldKind.FLAG else actual
    return _compare(kind, actual, condition.operator, condition.value)


def _compare(kind: FieldKind, actual: Any, operator: Operator, expected: Any) -> bool:
    if kind is FieldKind.SEVERITY:
        actual = Severity(actual).rank
        expected = tuple(Severity(value).rank for value in expected) if isinstance(expected, tuple) else (
            Severity(expected).rank
        )
    if operator is Operator.IN:
        return actual in expected
    if operator is Operator.NOT_IN:
        return actual not in expected
    if operator is Operator.EQ:
        return actual == expected
    if operator is Operator.NE:
        return actual != expected
    if operator is Operator.LT:
        return actual < expected
    if operator is Operator.LE:
        return actual <= expected
    if operator is Operator.GT:
        return actual > expected
    return actual >= expected


Predicate = Callable[[Mapping[str, Any]], bool]

_OPERATIONS: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: _op.eq,
    Operator.NE: _op.ne,
    Operator.LT: _op.lt,
    Operator.LE: _op.le,
    Operator.GT: _op.gt,
    Operator.GE: _op.ge,
    Operator.IN: lambda actual, expected: actual in expected,
    Operator.NOT_IN: lambda actual, expected: actual not in expected,
}


def compile_condition(condition: Condition) -> Predicate:
    """Return a predicate that gives `evaluate(condition, facts)` for any `facts`.

    The tree is walked, and severity literals ranked, once here rather than at every
    evaluation: the runtime compiles each step's condition once per SOP version.
    """
    if isinstance(condition, (All, Any_)):
        parts = tuple(compile_condition(operand) for operand in condition.operands)
        if isinstance(condition, All):
            return lambda facts: all(part(facts) for part in parts)
        return lambda facts: any(part(facts) for part in parts)
    if isinstance(condition, Not):
        inner = compile_condition(condition.operand)
        return lambda facts: not inner(facts)
    name = condition.field
    kind = INCIDENT_FIELDS[name]
    operation = _OPERATIONS[condition.operator]
    expected = condition.value
    if kind is FieldKind.SEVERITY:
        expected = tuple(Severity(value).rank for value in expected) if isinstance(expected, tuple) else (
            Severity(expected).rank
        )
        return lambda facts: operation(Severity(facts.get(name)).rank, expected)
    missing = 0 if kind is FieldKind.COUNT else False if kind is FieldKind.FLAG else None

    def compared(facts: Mapping[str, Any]) -> bool:
        actual = facts.get(name)
        return operation(missing if actual is None else actual, expected)

    return compared


def fields_read(condition: Condition) -> frozenset[str]:
    """Return the names of the incident fields `condition` reads."""
    if isinstance(condition, Comparison):
        return frozenset({condition.field})
    if isinstance(condition, Not):
        return fields_read(condition.operand)
    return frozenset().union(*(fields_read(operand) for operand in condition.operands))


def _literals(condition: Condition, field: str) -> list[Any]:
    if isinstance(condition, Comparison):
        if condition.field != field:
            return []
        return list(condition.value) if isinstance(condition.value, tuple) else [condition.value]
    if isinstance(condition, Not):
        return _literals(condition.operand, field)
    return [value for operand in condition.operands for value in _literals(operand, field)]


def _candidate_values(condition: Condition, field: str, domains: Mapping[str, Iterable[Any]]) -> list[Any]:
    """Values of `field` that between them take every branch of every comparison on it."""
    if field in domains:
        return list(domains[field])
    kind = INCIDENT_FIELDS[field]
    if kind is FieldKind.FLAG:
        return [False, True]
    if kind is FieldKind.SEVERITY:
        return list(Severity)
    if kind is FieldKind.CHOICE:
        return sorted(_choices(field))
    # Counts: a comparison with literal c changes truth only at c, so one value below the
    # smallest literal, each literal, one between each pair and one above the largest cover
    # every region.
    points = sorted({float(value) for value in _literals(condition, field)} | {0.0})
    candidates = [points[0] - 1]
    for low, high in zip(points, points[1:] + [points[-1] + 2]):
        candidates += [low, (low + high) / 2]
    return candidates


def satisfiable(condition: Condition, domains: Mapping[str, Iterable[Any]] | None = None) -> bool:
    """Return whether some incident allowed by `domains` makes `condition` true.

    `domains` narrows fields to the values an SOP's trigger allows (its incident types and
    severities); other fields range over everything. Exact for this language, because each
    field is compared only with literals.
    """
    domains = domains or {}
    fields = sorted(fields_read(condition))
    value_lists = [_candidate_values(condition, field, domains) for field in fields]
    return any(evaluate(condition, dict(zip(fields, values))) for values in product(*value_lists))


def condition_text(condition: Condition) -> str:
    """Return a canonical spelling of `condition` (for summaries, graphs and saved runs)."""
    if isinstance(condition, Comparison):
        value = condition.value
        if isinstance(value, tuple):
            shown = "[" + ", ".join(_value_text(item) for item in value) + "]"
        else:
            shown = _value_text(value)
        if INCIDENT_FIELDS[condition.field] is FieldKind.FLAG and condition.operator is Operator.EQ and value is True:
            return f"incident.{condition.field}"
        return f"incident.{condition.field} {condition.operator.value} {shown}"
    if isinstance(condition, Not):
        return f"not {_grouped(condition.operand)}"
    joiner = " and " if isinstance(condition, All) else " or "
    return joiner.join(_grouped(operand) for operand in condition.operands)


def _grouped(condition: Condition) -> str:
    text = condition_text(condition)
    return f"({text})" if isinstance(condition, (All, Any_)) else text


def _value_text(value: Any) -> str:
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
