"""Durations as SOP authors write them: `90s`, `5m`, `2h`, `1h30m`, `1d`."""

from __future__ import annotations

import re

from sop_engine.document_limits import INTEGER_MAX

_PART = re.compile(r"(\d+)([dhms])")
_WHOLE = re.compile(r"(?:\d+[dhms])+")
_SECONDS_PER_UNIT = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


def parse_duration_s(text: str) -> int:
    """Return the number of seconds in `text`.

    Raises:
        ValueError: the text is not a positive duration such as `5m` or `1h30m`, or it is longer
            than an integer column holds in seconds (about 68 years; a deadline that far off
            would overflow the clock's arithmetic).
    """
    compact = text.strip().replace(" ", "")
    if not _WHOLE.fullmatch(compact):
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m, 2h or 1h30m")
    seconds = sum(int(amount) * _SECONDS_PER_UNIT[unit] for amount, unit in _PART.findall(compact))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    if seconds > INTEGER_MAX:
        raise ValueError(f"{text!r} is longer than {INTEGER_MAX} seconds")
    return seconds


def format_duration_s(seconds: int) -> str:
    """Return the shortest author-style spelling of `seconds` (3600 -> `1h`)."""
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in _SECONDS_PER_UNIT.items():
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)
