"""Importing sensors from a GeoJSON FeatureCollection: one Point feature per sensor, its
properties the registration (`id`, `kind`, `unit`, `agency`, `interval_s`, optional `name`).

Every feature is checked first; if any is bad, each is reported by index and reason and nothing
is written. A sensor whose id is registered already is changed to what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.geojson import FeatureCollectionRejected, features_of
from coordination.point_import import checked_registrations
from coordination.principals import Principal
from coordination.sensors.kinds import SensorKind
from coordination.sensors.registry import SensorRegistration, check_registration, register_sensor
from coordination.store.tables import Sensor


class SensorImportRejected(FeatureCollectionRejected):
    """The collection has bad sensors; `problems` lists every one. Nothing was imported."""


@dataclass
class SensorImportResult:
    registered: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def parse_sensor_collection(text: str) -> list[Any]:
    """The features of a GeoJSON FeatureCollection; raise `SensorImportRejected` if it is not one."""
    return features_of(text, SensorImportRejected)


def import_sensors(*, session: Session, clock: Clock, features: list[Any], kinds: dict[str, SensorKind],
                   actor: Principal) -> SensorImportResult:
    """Register or change one sensor per feature, all in the caller's transaction, or none.

    Raises:
        SensorImportRejected: listing every bad feature (by index) and why.
    """

    def registration_of(data: dict[str, Any]) -> SensorRegistration:
        registration = SensorRegistration.model_validate(data)
        check_registration(registration, kinds=kinds)
        return registration

    registrations, seen, problems = checked_registrations(
        session, features, noun="sensor", properties_text="id, kind, unit, agency and interval_s",
        registration_of=registration_of)
    if problems:
        raise SensorImportRejected(problems)
    existing = set(session.scalars(select(Sensor.id).where(Sensor.id.in_(seen))))
    result = SensorImportResult()
    for registration in registrations:
        register_sensor(session=session, clock=clock, registration=registration, kinds=kinds, actor=actor,
                        replace=True)
        (result.changed if registration.id in existing else result.registered).append(registration.id)
    return result
