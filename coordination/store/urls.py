"""Checking a database URL before the engine first uses it."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


def database_url_problem(url: str) -> str | None:
    """Why SQLAlchemy cannot use `url` (it cannot read it, or lacks its dialect or driver), or None."""
    try:
        make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        return str(error)
    return None
