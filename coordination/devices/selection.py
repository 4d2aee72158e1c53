"""Which devices a command goes to: those named, or those of a kind near the incident."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.routing import haversine_m
from coordination.store.tables import Device

METRES_PER_DEGREE_LATITUDE = 111_000.0


def devices_for_command(session: Session, *, kind: str | None, device_ids: tuple[str, ...],
                        near: tuple[float, float], within_m: float | None) -> list[Device]:
    """The devices to command, nearest to `near` (longitude, latitude) first.

    With `device_ids`, those devices (of `kind` when one is given; ids not registered are left
    out: the caller sees fewer devices than it named). Otherwise every device of `kind` within
    `within_m` metres of `near` (every one of the kind when `within_m` is None). Neither: none.
    """
    longitude, latitude = near
    query = select(Device)
    if device_ids:
        query = query.where(Device.id.in_(device_ids))
    elif kind is None:
        return []
    if kind is not None:
        query = query.where(Device.kind == kind)
    if within_m is not None and not device_ids:
        # A box around the circle first, so the distance is computed only for the devices near it.
        degrees_lat = within_m / METRES_PER_DEGREE_LATITUDE
        degrees_lon = degrees_lat / max(0.01, math.cos(math.radians(latitude)))
        query = query.where(Device.latitude.between(latitude - degrees_lat, latitude + degrees_lat),
                            Device.longitude.between(longitude - degrees_lon, longitude + degrees_lon))
    scored = [(haversine_m(longitude, latitude, device.longitude, device.latitude), device.id, device)
              for device in session.scalars(query).unique()]
    if within_m is not None and not device_ids:
        scored = [item for item in scored if item[0] <= within_m]
    return [device for _distance, _id, device in sorted(scored, key=lambda item: item[:2])]
