"""Paged lists: the `limit` and `offset` query parameters (declared with `web.api.query.page()`),
checked, on every list route."""

from __future__ import annotations

from typing import Any, Callable

from coordination.queries.paging import page
from web.api.query import arg
from web.app.context import session


def page_of(query: Any, render: Callable[[Any], dict]) -> dict:
    """The page of `query` (a list query from `coordination.queries`) that `limit` and `offset` ask for."""
    limit, offset = arg("limit"), arg("offset")
    found = page(session(), query, limit=limit, offset=offset)
    return {"items": [render(item) for item in found.items], "total": found.total, "limit": limit, "offset": offset}
