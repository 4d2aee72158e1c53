"""A duty officer's own command to devices for an incident (from its page or the API): the same
outbox, timeline and confirmation as an SOP step's, belonging to no run."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.devices.commands import issue_commands
from coordination.devices.registry import DeviceId
from coordination.devices.selection import devices_for_command
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.lifecycles import IncidentStatus
from coordination.principals import Principal
from coordination.store.tables import DeviceCommand, Incident

MAX_DISTANCE_M = 50_000  # a city's span: farther is a mistyped distance, not a device near the incident
MAX_PAYLOAD_CHARS = 4_000  # a sign's text or a pump's set point; it is also kept on the timeline


class DeviceCommandRequest(BaseModel):
    """Which devices (named, or of a kind within a distance of the incident), what to tell them,
    and how long they have to confirm."""

    model_config = ConfigDict(extra="forbid")

    device_ids: list[DeviceId] = Field(default_factory=list, max_length=100)
    kind: str | None = Field(default=None, min_length=1, max_length=64)
    within_m: float | None = Field(default=None, gt=0, le=MAX_DISTANCE_M, allow_inf_nan=False)
    action: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    payload: dict[str, Any] = Field(default_factory=dict)
    confirm_within_s: int = Field(default=300, gt=0, le=24 * 3600)

    @field_validator("payload")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, separators=(",", ":"))) > MAX_PAYLOAD_CHARS:
            raise ValueError(f"at most {MAX_PAYLOAD_CHARS:,} characters of JSON")
        return value


def command_devices_for_incident(*, session: Session, clock: Clock, incident_id: uuid.UUID,
                                 request: DeviceCommandRequest, actor: Principal) -> list[DeviceCommand]:
    """Queue the command for each device chosen, nearest the incident first.

    Raises:
        NotFound: no such incident.
        Conflict: the incident is closed.
        InvalidInput: neither devices nor a kind with a distance given, or no device found (naming the field).
    """
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.status is IncidentStatus.CLOSED:
        raise Conflict(f"incident {incident_id} is closed: no device is commanded for it")
    if not request.device_ids and (request.kind is None or request.within_m is None):
        raise InvalidInput("name the devices, or give a kind and a distance from the incident (within_m)",
                           field="device_ids" if request.kind is None else "within_m")
    devices = devices_for_command(session, kind=request.kind, device_ids=tuple(request.device_ids),
                                  near=(incident.longitude, incident.latitude), within_m=request.within_m)
    if not devices:
        what = (", ".join(request.device_ids) if request.device_ids
                else f"{request.kind} within {request.within_m:g} m of the incident")
        raise InvalidInput(f"no device registered: {what}", field="device_ids" if request.device_ids else "kind")
    now = clock.now()
    return issue_commands(session, at=now, devices=devices, action=request.action, payload=request.payload,
                          due_at=now + timedelta(seconds=request.confirm_within_s), incident_id=incident.id,
                          run_id=None, step_id=None, issued_by=actor.label)
