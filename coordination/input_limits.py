"""What any input may hold, whichever way it comes in (an API body, a path, a query, a form, a
file): the limits the databases and the parsers set, checked once where input enters, so that
no route can forget them and none answers a 500 for them.

- Integers fit the narrowest integer column (PostgreSQL's INTEGER): a larger one is refused by
  the database driver, after the request has started its transaction. Numbers are finite
  (`1e400` parses as infinity).
- Text holds no NUL character: PostgreSQL refuses one in any text value (SQLite stores it, so the
  same request must be refused on both).
- Documents nest at most `MAX_NESTING_DEPTH` deep: the parsers recurse once per level.

The numbers live in `sop_engine.document_limits`, beside the YAML reader that keeps them too.
- JSON has no `NaN` or `Infinity` (not JSON, and no column or JSON value can hold them).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

from coordination.errors import InvalidInput
from sop_engine.document_limits import INTEGER_MAX, INTEGER_MIN, MAX_NESTING_DEPTH, integer_fits

__all__ = [
    "INTEGER_MAX", "INTEGER_MIN", "MAX_NESTING_DEPTH", "MalformedJson", "check_document", "check_integer",
    "check_text", "load_json", "parse_json",
]

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class MalformedJson(ValueError):
    """The text is not JSON the engine reads: a syntax error, nested too deep, or NaN/Infinity.
    A `ValueError`, as `json.JSONDecodeError` is, so callers that handle one handle both."""


def parse_json(text: str | bytes) -> Any:
    """Parse JSON, refusing what the standard library would take but nothing downstream can.

    Raises:
        MalformedJson: not JSON, nested more than `MAX_NESTING_DEPTH` deep, or NaN/Infinity.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedJson("the JSON is not UTF-8") from None
    _check_nesting(text)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise MalformedJson(f"not JSON: {error.msg} at line {error.lineno}") from None


def load_json(text: str | bytes) -> Any:
    """`parse_json`, then `check_document` on the result.

    Raises:
        MalformedJson: see `parse_json`.
        InvalidInput: a value no database can store (naming its field).
    """
    document = parse_json(text)
    check_document(document)
    return document


def check_document(value: Any, *, field: str = "") -> None:
    """Refuse the first NUL character or out-of-range integer anywhere in parsed JSON.

    Raises:
        InvalidInput: naming the field as a dotted path (`details.casualties`, `features.3.name`).
    """
    # An explicit stack: the document is at most MAX_NESTING_DEPTH deep, but a walk should not
    # rest on that.
    pending: list[tuple[str, Any]] = [(field, value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            check_text(item, field=path)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            check_integer(item, field=path)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput(f"{_named(path)}must be a finite number", field=path)
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                child_path = _join(path, key)
                check_text(str(key), field=child_path)
                pending.append((child_path, child))
        elif isinstance(item, list):
            pending.extend((_join(path, index), child) for index, child in reversed(list(enumerate(item))))


def check_text(value: str, *, field: str) -> None:
    """Raises: InvalidInput if `value` holds a NUL character."""
    if "\x00" in value:
        raise InvalidInput(f"{_named(field)}a NUL character (\\u0000) is not allowed in text", field=field)


def check_integer(value: int, *, field: str) -> None:
    """Raises: InvalidInput if `value` does not fit an integer column."""
    if not integer_fits(value):
        raise InvalidInput(f"{_named(field)}must be a whole number between {INTEGER_MIN} and {INTEGER_MAX}",
                           field=field)


def _check_nesting(text: str) -> None:
    # Fewer brackets than the limit cannot nest past it: most bodies stop here.
    if text.count("[") + text.count("{") <= MAX_NESTING_DEPTH:
        return
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    depths = itertools.accumulate(1 if bracket in "[{" else -1 for bracket in brackets)
    if max(depths, default=0) > MAX_NESTING_DEPTH:
        raise MalformedJson(f"the JSON is nested more than {MAX_NESTING_DEPTH} levels deep")


def _refuse_constant(name: str) -> Any:
    raise MalformedJson(f"{name} is not a JSON number")


def _join(path: str, part: Any) -> str:
    return f"{path}.{part}" if path else str(part)


def _named(field: str) -> str:
    return f"{field}: " if field else ""
