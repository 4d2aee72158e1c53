"""One page of a list query, with the total the whole list would have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int


def page(session: Session, query: Select, *, limit: int, offset: int) -> Page:
    """Rows `offset` to `offset + limit` of `query` (built in coordination), and how many it has in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(limit).offset(offset)).unique().all()
    return Page(items=list(items), total=total, limit=limit, offset=offset)
