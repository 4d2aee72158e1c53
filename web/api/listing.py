"""Paged lists: the `limit` and `offset` query parameters (declared with `web.api.query.page()`),
checked, on every list route."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Select, func, select

from web.api.query import arg
from web.app.context import session


def page_of(query: Select, render: Callable[[Any], dict]) -> dict:
    limit, offset = arg("limit"), arg("offset")
    db = session()
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.scalars(query.limit(limit).offset(offset)).unique().all()
    return {"items": [render(item) for item in items], "total": total, "limit": limit, "offset": offset}
