"""Matching a person's search text literally inside a column."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere (its %, _ and \\ escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def any_contains(columns: list[tuple[InstrumentedAttribute, str]]) -> ColumnElement[bool]:
    """True where any column holds its text (case-insensitive), each (column, text) pair matched literally."""
    return or_(*(column.ilike(contains_pattern(text), escape="\\") for column, text in columns))
