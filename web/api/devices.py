"""Devices an SOP step or a duty officer commands: the registry (list, read, register). An agency
sees only its own devices."""

from __future__ import annotations

from flask import Blueprint, url_for

from coordination import Role
from coordination.devices import DeviceRegistration, device_json, register_device, visible_device
from coordination.queries.devices import devices_query
from web.api.listing import page_of
from web.api.query import arg, page, takes_query, text
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("devices", __name__)

READERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER, Role.PLANNER)


@blueprint.get("/devices")
@api(*READERS)
@takes_query(text("kind", "Only devices of this kind", max_length=64), *page())
def list_devices():
    """Devices by id with their topics; `kind` filters. An agency sees only its own."""
    return page_of(devices_query(principal(), kind=arg("kind")), device_json)


@blueprint.get("/devices/<device_id>")
@api(*READERS)
def read_device(device_id: str):
    """One device (404 for another agency's)."""
    return device_json(visible_device(session=session(), principal=principal(), device_id=device_id))


@blueprint.post("/devices")
@api(Role.ADMINISTRATOR)
def register_a_device():
    """Register a device: its id (as it names itself), kind, location, agency and, optionally, its
    command and confirmation topics (by default iccc/devices/<id>/command and .../confirm)."""
    device = register_device(session=session(), clock=services().clock, registration=json_body(DeviceRegistration),
                             kinds=services().settings.device_kinds, actor=principal())
    return device_json(device), 201, {"Location": url_for("devices.read_device", device_id=device.id)}
