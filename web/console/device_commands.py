"""A duty officer commands devices from the incident page: the message signs near it, a named
siren, the pumps within a kilometre. The same use case as the API's, through the same outbox."""

from __future__ import annotations

import math
import uuid

from flask import Blueprint, redirect, request, url_for
from pydantic import ValidationError

from coordination import Conflict, InvalidInput, NotFound
from coordination.devices import DeviceCommandRequest, command_devices_for_incident
from web.app.context import services
from web.app.problems import status_for
from web.console.access import console_caller, require_csrf
from web.console.action_messages import say
from web.console.incident import ACTING_ROLES, incident_page

blueprint = Blueprint("device_commands_console", __name__)

FORM_FIELDS = {"device_ids": "device-command-devices", "kind": "device-command-kind",
               "within_m": "device-command-within", "action": "device-command-action",
               "payload": "device-command-message", "confirm_within_s": "device-command-confirm"}
"""The form's field for each field of the request, where an error is shown."""


@blueprint.post("/console/incidents/<uuid:incident_id>/device-commands")
def command_devices(incident_id: uuid.UUID):
    caller = console_caller(ACTING_ROLES)
    require_csrf()
    context = services()
    form = request.form
    named = [name.strip() for name in form.get("device_ids", "").replace(",", " ").split() if name.strip()]
    message = form.get("message", "").strip()
    try:
        command = DeviceCommandRequest.model_validate({
            "device_ids": named, "kind": None if named else (form.get("kind") or None),
            "within_m": None if named else _number(form.get("within_m", "")),
            "action": form.get("action", "").strip(), "payload": {"text": message} if message else {},
            "confirm_within_s": _seconds(_number(form.get("confirm_within_min", ""))),
        })
        with context.store.transaction() as db:
            sent = command_devices_for_incident(session=db, clock=context.clock, incident_id=incident_id,
                                                request=command, actor=caller)
            devices = ", ".join(item.device_id for item in sent)
            due = sent[0].due_at
    except ValidationError as problem:
        first = problem.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "action"
        return incident_page(incident_id, error=f"{field.replace('_', ' ')}: {first['msg']}",
                             error_for=FORM_FIELDS.get(field, "device-command-action"), status=status_for(problem))
    except (InvalidInput, Conflict, NotFound) as problem:
        field = getattr(problem, "field", None) or "device_ids"
        return incident_page(incident_id, error=str(problem), error_for=FORM_FIELDS.get(field, "device-command-devices"),
                             status=status_for(problem))
    say(f"Command “{command.action.replace('_', ' ')}” queued for {devices}: the worker sends it now, and each "
        f"device should confirm by {due:%H:%M} UTC; the list below shows each answer.")
    return redirect(url_for("incident_console.incident_page", incident_id=incident_id) + "#devices-heading")


def _seconds(minutes: float | None) -> int | str:
    """The confirmation time in seconds (five minutes when blank); what is not a number stays text
    for the model to refuse by name."""
    if minutes is None:
        return 300
    return round(minutes * 60) if math.isfinite(minutes) else "not a number"


def _number(text: str) -> float | None:
    """A number typed in the form, or None when blank; the request's model names what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return float("nan")  # refused by the model, naming the field
