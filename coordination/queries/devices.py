"""Reading the device registry."""

from __future__ import annotations

from sqlalchemy import Select

from coordination.devices import devices_visible_to
from coordination.principals import Principal


def devices_query(principal: Principal, *, kind: str | None = None) -> Select:
    """The devices `principal` may see, by id; `kind` keeps those of one kind."""
    return devices_visible_to(principal, kind=kind)
