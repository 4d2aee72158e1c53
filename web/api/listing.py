"""Paged lists: `limit` and `offset` query parameters, checked, on every list route."""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, TypeVar

from flask import request

from coordination.queries.paging import page
from web.app.context import query_int, session
from web.app.problems import BadRequestBody

EnumT = TypeVar("EnumT", bound=Enum)
MAX_PAGE = 500


def page_of(query: Any, render: Callable[[Any], dict], *, default_limit: int = 100) -> dict:
    """The page of `query` (a list query from `coordination.queries`) that `limit` and `offset` ask for."""
    limit = query_int("limit", default=default_limit, minimum=1, maximum=MAX_PAGE)
    offset = query_int("offset", default=0, minimum=0, maximum=10**9)
    found = page(session(), query, limit=limit, offset=offset)
    return {"items": [render(item) for item in found.items], "total": found.total, "limit": limit, "offset": offset}


def enum_arg(name: str, enum_class: type[EnumT]) -> EnumT | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return enum_class(raw)
    except ValueError:
        choices = ", ".join(member.value for member in enum_class)
        raise BadRequestBody(f"query parameter {name!r} must be one of: {choices}", field=name) from None


def bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise BadRequestBody(f"query parameter {name!r} must be true or false", field=name)
    return raw.lower() == "true"
