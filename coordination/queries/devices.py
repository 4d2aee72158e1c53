"""Reading the device registry and the commands sent to devices."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from coordination.devices import devices_visible_to
from coordination.principals import Principal
from coordination.store.tables import DeviceCommand


def devices_query(principal: Principal, *, kind: str | None = None) -> Select:
    """The devices `principal` may see, by id; `kind` keeps those of one kind."""
    return devices_visible_to(principal, kind=kind)


def incident_device_commands_query(incident_id: uuid.UUID) -> Select:
    """The device commands of an incident (its SOP's and its duty officers'), newest first."""
    return (select(DeviceCommand).where(DeviceCommand.incident_id == incident_id)
            .order_by(DeviceCommand.issued_at.desc(), DeviceCommand.command_id))
