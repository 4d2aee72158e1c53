"""Devices an SOP step or a duty officer commands: the registry (list, read, register; an agency
sees only its own devices), and an incident's device commands (a duty officer's own, and the list
of its SOP's and officers')."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for

from coordination import Role
from coordination.devices import (
    DeviceCommandRequest,
    DeviceRegistration,
    command_devices_for_incident,
    command_json,
    device_json,
    register_device,
    visible_device,
)
from coordination.queries.devices import devices_query, incident_device_commands_query
from coordination.queries.incidents import existing_incident
from web.api.listing import page_of
from web.api.query import arg, page, takes_query, text
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("devices", __name__)

READERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER, Role.PLANNER)
OPERATORS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR)
WATCHERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


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
    settings = services().settings
    device = register_device(session=session(), clock=services().clock, registration=json_body(DeviceRegistration),
                             kinds=settings.device_kinds, actor=principal(), heard_on=settings.broker.device_topics)
    return device_json(device), 201, {"Location": url_for("devices.read_device", device_id=device.id)}


@blueprint.get("/incidents/<uuid:incident_id>/device-commands")
@api(*WATCHERS)
@takes_query(*page())
def list_incident_commands(incident_id: uuid.UUID):
    """The incident's device commands, newest first, with their status (queued, sent, confirmed,
    failed, overdue) and the device's reason."""
    existing_incident(session(), incident_id)
    return page_of(incident_device_commands_query(incident_id), command_json)


@blueprint.post("/incidents/<uuid:incident_id>/device-commands")
@api(*OPERATORS)
def command_incident_devices(incident_id: uuid.UUID):
    """Command devices for the incident: those named (`device_ids`), or of a `kind` within `within_m`
    metres of it; each is sent `action` with `payload` and has `confirm_within_s` to confirm."""
    commands = command_devices_for_incident(session=session(), clock=services().clock, incident_id=incident_id,
                                            request=json_body(DeviceCommandRequest), actor=principal())
    return ({"items": [command_json(command) for command in commands]}, 201,
            {"Location": url_for("devices.list_incident_commands", incident_id=incident_id)})
