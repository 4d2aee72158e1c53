"""The sensor registry: register a sensor (or change one), and who may see which."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.geojson import GeoPoint
from coordination.principals import Principal, Role
from coordination.sensors.kinds import SensorKind
from coordination.store.tables import Agency, Sensor

SENSOR_NAME = re.compile(r"^[A-Za-z0-9][-:._A-Za-z0-9]{0,127}$")
"""A SenML name (RFC 8428 §4.5.1) without `/`: the id a sensor's readings carry, and the last
level of the MQTT topic it publishes on."""
MAX_INTERVAL_S = 7 * 24 * 3600  # a gauge that reports less than weekly is a survey, not a sensor

SensorId = Annotated[str, Field(min_length=1, max_length=128, pattern=SENSOR_NAME.pattern)]


class SensorRegistration(BaseModel):
    """A sensor as an administrator or an import file describes it."""

    model_config = ConfigDict(extra="forbid")

    id: SensorId
    kind: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    location: GeoPoint
    unit: str = Field(default="", max_length=32)
    agency: str = Field(min_length=1, max_length=64)
    """The owning agency's code."""
    interval_s: int = Field(gt=0, le=MAX_INTERVAL_S)

    @field_validator("name", "unit")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()


def check_registration(registration: SensorRegistration, *, kinds: dict[str, SensorKind]) -> None:
    """Raise `InvalidInput` (naming the field) if the kind is unknown or the unit not one of its units."""
    kind = kinds.get(registration.kind)
    if kind is None:
        raise InvalidInput(f"unknown sensor kind {registration.kind!r}; known: {', '.join(sorted(kinds))} "
                           "(a city adds kinds with ICCC_SENSOR_KINDS)", field="kind")
    if kind.units and registration.unit not in kind.units:
        units = ", ".join(repr(unit) if unit else "none (true/false)" for unit in kind.units)
        raise InvalidInput(f"a {kind.name} sensor reports in {units}, not {registration.unit!r}", field="unit")


def register_sensor(*, session: Session, clock: Clock, registration: SensorRegistration,
                    kinds: dict[str, SensorKind], actor: Principal, replace: bool = False) -> Sensor:
    """Register a sensor of an existing agency (or, with `replace`, change the one with that id).

    Raises:
        InvalidInput: an unknown kind, a unit the kind does not report in, no such agency.
        Conflict: the id is registered already (and `replace` is false).
    """
    check_registration(registration, kinds=kinds)
    agency = session.scalar(select(Agency).where(Agency.code == registration.agency))
    if agency is None:
        raise InvalidInput(f"no agency has the code {registration.agency!r}", field="agency")
    now = clock.now()
    sensor = session.scalars(select(Sensor).where(Sensor.id == registration.id)
                             .with_for_update(of=Sensor)).unique().one_or_none()
    if sensor is not None and not replace:
        raise Conflict(f"sensor {registration.id!r} is already registered")
    created = sensor is None
    if created:
        sensor = Sensor(id=registration.id, registered_at=now)
        session.add(sensor)
    longitude, latitude = registration.location.coordinates
    sensor.kind, sensor.name, sensor.unit = registration.kind, registration.name, registration.unit
    sensor.longitude, sensor.latitude, sensor.interval_s = longitude, latitude, registration.interval_s
    sensor.agency_id, sensor.agency, sensor.updated_at = agency.id, agency, now
    session.flush()
    audit.record(session, at=now, kind="sensor.registered" if created else "sensor.changed", actor=actor.label,
                 summary=f"sensor {sensor.id} ({sensor.kind}, {agency.code}) {'registered' if created else 'changed'}",
                 data={"sensor_id": sensor.id, "kind": sensor.kind, "agency": agency.code, "unit": sensor.unit,
                       "interval_s": sensor.interval_s, "location": [longitude, latitude]})
    return sensor


def sensors_visible_to(principal: Principal) -> Select[tuple[Sensor]]:
    """Every sensor, by id; an agency sees only its own."""
    query = select(Sensor).order_by(Sensor.id)
    if principal.role is Role.AGENCY:
        query = query.where(Sensor.agency_id == principal.agency_id)
    return query


def visible_sensor(*, session: Session, principal: Principal, sensor_id: str) -> Sensor:
    """The sensor, if the caller may see it.

    Raises:
        NotFound: no such sensor, or another agency's (an agency does not learn that it exists).
    """
    sensor = session.get(Sensor, sensor_id)
    if sensor is None or (principal.role is Role.AGENCY and sensor.agency_id != principal.agency_id):
        raise NotFound(f"sensor {sensor_id!r} does not exist")
    return sensor


def sensor_json(sensor: Sensor) -> dict[str, Any]:
    """A sensor as the API gives it, with its latest reading when known."""
    latest = sensor.latest
    return {
        "id": sensor.id, "kind": sensor.kind, "name": sensor.name,
        "location": {"type": "Point", "coordinates": [sensor.longitude, sensor.latitude]},
        "unit": sensor.unit, "agency": {"code": sensor.agency.code, "name": sensor.agency.name}, "interval_s": sensor.interval_s,
        "registered_at": _iso(sensor.registered_at), "updated_at": _iso(sensor.updated_at),
        "latest": None if latest is None else {
            "reading_id": latest.reading_id, "value": latest.value, "unit": latest.unit,
            "observed_at": _iso(latest.observed_at), "received_at": _iso(latest.received_at)},
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat()
