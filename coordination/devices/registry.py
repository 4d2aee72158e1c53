"""The device registry: register a device (or change one), and who may see which."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import paho.mqtt.client as mqtt
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.geojson import GeoPoint
from coordination.principals import Principal, Role
from coordination.sensors.registry import SENSOR_NAME
from coordination.store.tables import Agency, Device

TOPIC_ROOT = "iccc/devices"
"""A device registered without topics is commanded on `iccc/devices/<id>/command` and answers on
`iccc/devices/<id>/confirm` (what `iccc intake` listens to unless ICCC_MQTT_DEVICE_TOPICS says otherwise)."""

DeviceId = Annotated[str, Field(min_length=1, max_length=128, pattern=SENSOR_NAME.pattern)]
"""Like a sensor's name: no `/`, since it is one level of the device's topics."""
Topic = Annotated[str, Field(min_length=1, max_length=400, pattern=r"^[^+#\x00]+$")]
"""An MQTT topic name (a device publishes and is published to on one topic, never a filter)."""


class DeviceRegistration(BaseModel):
    """A device as an administrator or an import file describes it."""

    model_config = ConfigDict(extra="forbid")

    id: DeviceId
    kind: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    location: GeoPoint
    agency: str = Field(min_length=1, max_length=64)
    """The owning agency's code."""
    command_topic: Topic | None = None
    confirmation_topic: Topic | None = None

    @field_validator("name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @property
    def topics(self) -> tuple[str, str]:
        """The command and confirmation topics, the defaults where none is given."""
        return (self.command_topic or f"{TOPIC_ROOT}/{self.id}/command",
                self.confirmation_topic or f"{TOPIC_ROOT}/{self.id}/confirm")


def check_registration(registration: DeviceRegistration, *, kinds: frozenset[str], heard_on: tuple[str, ...] = ()
                       ) -> None:
    """Raise `InvalidInput` (naming the field) for an unknown kind, one topic for both ways, or (with
    `heard_on`, the topic filters the intake hears devices' answers on) an answer topic no filter matches."""
    if registration.kind not in kinds:
        raise InvalidInput(f"unknown device kind {registration.kind!r}; known: {', '.join(sorted(kinds))} "
                           "(a city adds kinds with ICCC_DEVICE_KINDS)", field="kind")
    command_topic, confirmation_topic = registration.topics
    if command_topic == confirmation_topic:
        # The device would read its own answers as commands, and the engine its commands as answers.
        raise InvalidInput("a device answers on another topic than it is commanded on", field="confirmation_topic")
    if heard_on and not any(mqtt.topic_matches_sub(topic_filter, confirmation_topic) for topic_filter in heard_on):
        # Registered, commanded, and never heard: every command would go overdue with no clue why.
        raise InvalidInput(f"the intake hears devices' answers on {', '.join(heard_on)} (ICCC_MQTT_DEVICE_TOPICS); "
                           f"{confirmation_topic!r} is not among them, so this device's answers would never be heard",
                           field="confirmation_topic")


def register_device(*, session: Session, clock: Clock, registration: DeviceRegistration,
                    kinds: frozenset[str], actor: Principal, replace: bool = False,
                    heard_on: tuple[str, ...] = ()) -> Device:
    """Register a device of an existing agency (or, with `replace`, change the one with that id).

    Raises:
        InvalidInput: an unknown kind, the same topic both ways, no such agency.
        Conflict: the id is registered already (and `replace` is false).
    """
    check_registration(registration, kinds=kinds, heard_on=heard_on)
    agency = session.scalar(select(Agency).where(Agency.code == registration.agency))
    if agency is None:
        raise InvalidInput(f"no agency has the code {registration.agency!r}", field="agency")
    now = clock.now()
    device = session.scalars(select(Device).where(Device.id == registration.id)
                             .with_for_update(of=Device)).unique().one_or_none()
    if device is not None and not replace:
        raise Conflict(f"device {registration.id!r} is already registered")
    created = device is None
    if created:
        device = Device(id=registration.id, registered_at=now)
        session.add(device)
    longitude, latitude = registration.location.coordinates
    device.kind, device.name = registration.kind, registration.name
    device.longitude, device.latitude = longitude, latitude
    device.command_topic, device.confirmation_topic = registration.topics
    device.agency_id, device.agency, device.updated_at = agency.id, agency, now
    session.flush()
    audit.record(session, at=now, kind="device.registered" if created else "device.changed", actor=actor.label,
                 summary=f"device {device.id} ({device.kind}, {agency.code}) {'registered' if created else 'changed'}",
                 data={"device_id": device.id, "kind": device.kind, "agency": agency.code,
                       "location": [longitude, latitude], "command_topic": device.command_topic,
                       "confirmation_topic": device.confirmation_topic})
    return device


def devices_visible_to(principal: Principal, *, kind: str | None = None) -> Select[tuple[Device]]:
    """Every device, by id (`kind`: of that kind); an agency sees only its own."""
    query = select(Device).order_by(Device.id)
    if principal.role is Role.AGENCY:
        query = query.where(Device.agency_id == principal.agency_id)
    if kind is not None:
        query = query.where(Device.kind == kind)
    return query


def visible_device(*, session: Session, principal: Principal, device_id: str) -> Device:
    """The device, if the caller may see it.

    Raises:
        NotFound: no such device, or another agency's (an agency does not learn that it exists).
    """
    device = session.get(Device, device_id)
    if device is None or (principal.role is Role.AGENCY and device.agency_id != principal.agency_id):
        raise NotFound(f"device {device_id!r} does not exist")
    return device


def device_json(device: Device) -> dict[str, Any]:
    """A device as the API gives it."""
    return {
        "id": device.id, "kind": device.kind, "name": device.name,
        "location": {"type": "Point", "coordinates": [device.longitude, device.latitude]},
        "command_topic": device.command_topic, "confirmation_topic": device.confirmation_topic,
        "agency": {"code": device.agency.code, "name": device.agency.name},
        "registered_at": _iso(device.registered_at), "updated_at": _iso(device.updated_at),
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat()
