"""Importing devices from a GeoJSON FeatureCollection: one Point feature per device, its
properties the registration (`id`, `kind`, `agency`, optional `name`, `command_topic`,
`confirmation_topic`).

Every feature is checked first; if any is bad, each is reported by index and reason and nothing
is written. A device whose id is registered already is changed to what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.devices.registry import DeviceRegistration, check_registration, register_device
from coordination.errors import InvalidInput
from coordination.geojson import FeatureCollectionRejected, FeatureProblem, features_of
from coordination.principals import Principal
from coordination.store.tables import Agency, Device


class DeviceImportRejected(FeatureCollectionRejected):
    """The collection has bad devices; `problems` lists every one. Nothing was imported."""


@dataclass
class DeviceImportResult:
    registered: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def parse_device_collection(text: str) -> list[Any]:
    """The features of a GeoJSON FeatureCollection; raise `DeviceImportRejected` if it is not one."""
    return features_of(text, DeviceImportRejected)


def _registration(feature: Any, kinds: frozenset[str], heard_on: tuple[str, ...]) -> DeviceRegistration:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise ValueError("`properties` must be an object with id, kind and agency")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise ValueError("geometry: a device's geometry is a GeoJSON Point")
    try:
        registration = DeviceRegistration.model_validate({**properties, "location": geometry})
        check_registration(registration, kinds=kinds, heard_on=heard_on)
    except InvalidInput as error:
        raise ValueError(f"properties.{error.field}: {error}") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        where = where.replace("location.", "geometry.") if where.startswith("location") else f"properties.{where}"
        raise ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
    return registration


def import_devices(*, session: Session, clock: Clock, features: list[Any], kinds: frozenset[str],
                   actor: Principal, heard_on: tuple[str, ...] = ()) -> DeviceImportResult:
    """Register or change one device per feature, all in the caller's transaction, or none
    (`heard_on`: the topic filters the intake hears answers on, which each answer topic must match).

    Raises:
        DeviceImportRejected: listing every bad feature (by index) and why.
    """
    problems: list[FeatureProblem] = []
    registrations: list[DeviceRegistration] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        try:
            registration = _registration(feature, kinds, heard_on)
        except ValueError as error:
            problems.append(FeatureProblem(index, str(error)))
            continue
        if registration.id in seen:
            problems.append(FeatureProblem(index, f"device id {registration.id!r} repeats feature {seen[registration.id]}"))
            continue
        seen[registration.id] = index
        registrations.append(registration)
    known_agencies = set(session.scalars(select(Agency.code).where(
        Agency.code.in_({item.agency for item in registrations}))))
    for registration in registrations:
        if registration.agency not in known_agencies:
            problems.append(FeatureProblem(seen[registration.id],
                                           f"properties.agency: no agency has the code {registration.agency!r}"))
    if not features:
        problems.append(FeatureProblem(-1, "the collection has no features"))
    if problems:
        raise DeviceImportRejected(sorted(problems, key=lambda problem: problem.index))
    existing = set(session.scalars(select(Device.id).where(Device.id.in_(seen))))
    result = DeviceImportResult()
    for registration in registrations:
        register_device(session=session, clock=clock, registration=registration, kinds=kinds, actor=actor,
                        replace=True, heard_on=heard_on)
        (result.changed if registration.id in existing else result.registered).append(registration.id)
    return result
