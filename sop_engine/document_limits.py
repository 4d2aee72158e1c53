"""What any document the engine reads may hold (an SOP or rule file, a scenario, a JSON body),
whatever parses it. Here, at the bottom of the import graph, so that the YAML reader and
`coordination.input_limits` (which checks every request) keep the same numbers."""

from __future__ import annotations

MAX_NESTING_DEPTH = 64
"""The deepest a document may nest. The shipped files nest at most 8 deep; the parsers recurse
once per level, so a document nested a thousand deep would otherwise exhaust Python's stack."""

INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1
"""The range of PostgreSQL's INTEGER, the narrowest integer column a value may end up in (SQLite's
are 64-bit, so the same document must be refused on both)."""


def integer_fits(value: int) -> bool:
    return INTEGER_MIN <= value <= INTEGER_MAX


def integer_range_text() -> str:
    return f"must be a whole number between {INTEGER_MIN} and {INTEGER_MAX}"
