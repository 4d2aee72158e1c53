"""Reading the sensor registry."""

from __future__ import annotations

from sqlalchemy import Select

from coordination.principals import Principal
from coordination.sensors.registry import sensors_visible_to
from coordination.store.tables import Sensor


def sensors_query(principal: Principal, *, kind: str | None = None) -> Select:
    """The sensors `principal` may see, by id; `kind` keeps those of one kind."""
    query = sensors_visible_to(principal)
    if kind is not None:
        query = query.where(Sensor.kind == kind)
    return query
