"""The devices as the city map draws them: where each is, whose, and what it was last told and
whether it did it (a sign showing the flood warning, a pump that never confirmed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordination.devices.registry import devices_visible_to
from coordination.principals import Principal
from coordination.store.tables import DeviceCommand


def devices_geojson(*, session: Session, principal: Principal) -> dict[str, Any]:
    """A FeatureCollection of the devices `principal` may see, each with its last command
    (`last_action`, `last_status`, `last_issued_at`; null when never commanded)."""
    devices = session.scalars(devices_visible_to(principal)).unique().all()
    latest = (select(DeviceCommand.device_id, func.max(DeviceCommand.issued_at).label("issued_at"))
              .where(DeviceCommand.device_id.in_([device.id for device in devices]))
              .group_by(DeviceCommand.device_id).subquery())
    last = {command.device_id: command for command in session.scalars(
        select(DeviceCommand).join(latest, (DeviceCommand.device_id == latest.c.device_id)
                                   & (DeviceCommand.issued_at == latest.c.issued_at)))}
    features = []
    for device in devices:
        command = last.get(device.id)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [device.longitude, device.latitude]},
            "properties": {
                "id": device.id, "kind": device.kind, "name": device.name, "agency": device.agency.code,
                "last_action": command.action if command else None,
                "last_status": command.status.value if command else None,
                "last_issued_at": command.issued_at.isoformat() if command else None,
                "last_incident_id": str(command.incident_id) if command and command.incident_id else None,
            },
        })
    return {"type": "FeatureCollection", "features": features}
