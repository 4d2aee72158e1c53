"""Importing devices from a GeoJSON FeatureCollection: one Point feature per device, its
properties the registration (`id`, `kind`, `agency`, optional `name`, `command_topic`,
`confirmation_topic`).

Every feature is checked first; if any is bad, each is reported by index and reason and nothing
is written. A device whose id is registered already is changed to what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.devices.registry import DeviceRegistration, check_registration, register_device
from coordination.geojson import FeatureCollectionRejected, features_of
from coordination.point_import import checked_registrations
from coordination.principals import Principal
from coordination.store.tables import Device


class DeviceImportRejected(FeatureCollectionRejected):
    """The collection has bad devices; `problems` lists every one. Nothing was imported."""


@dataclass
class DeviceImportResult:
    registered: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def parse_device_collection(text: str) -> list[Any]:
    """The features of a GeoJSON FeatureCollection; raise `DeviceImportRejected` if it is not one."""
    return features_of(text, DeviceImportRejected)


def import_devices(*, session: Session, clock: Clock, features: list[Any], kinds: frozenset[str],
                   actor: Principal, heard_on: tuple[str, ...] = ()) -> DeviceImportResult:
    """Register or change one device per feature, all in the caller's transaction, or none
    (`heard_on`: the topic filters the intake hears answers on, which each answer topic must match).

    Raises:
        DeviceImportRejected: listing every bad feature (by index) and why.
    """

    def registration_of(data: dict[str, Any]) -> DeviceRegistration:
        registration = DeviceRegistration.model_validate(data)
        check_registration(registration, kinds=kinds, heard_on=heard_on)
        return registration

    registrations, seen, problems = checked_registrations(
        session, features, noun="device", properties_text="id, kind and agency", registration_of=registration_of)
    if problems:
        raise DeviceImportRejected(problems)
    existing = set(session.scalars(select(Device.id).where(Device.id.in_(seen))))
    result = DeviceImportResult()
    for registration in registrations:
        register_device(session=session, clock=clock, registration=registration, kinds=kinds, actor=actor,
                        replace=True, heard_on=heard_on)
        (result.changed if registration.id in existing else result.registered).append(registration.id)
    return result
