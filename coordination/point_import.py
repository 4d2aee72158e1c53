"""Checking a GeoJSON FeatureCollection of things registered at a point (sensors, devices) before
any is imported: each feature a Point with its registration in `properties`, no id twice, every
owning agency known. Every problem is found, with the feature's index, so that a file is fixed in
one pass and imported whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import InvalidInput
from coordination.geojson import FeatureProblem
from coordination.store.tables import Agency


class PointRegistration(Protocol):
    id: str
    agency: str


R = TypeVar("R", bound=PointRegistration)


def checked_registrations(session: Session, features: list[Any], *, noun: str, properties_text: str,
                          registration_of: Callable[[dict[str, Any]], R]
                          ) -> tuple[list[R], dict[str, int], list[FeatureProblem]]:
    """(the registrations, each id's feature index, every problem by index).

    `registration_of` turns a feature's properties (with its geometry as `location`) into a
    checked registration, raising pydantic's `ValidationError` or `InvalidInput` naming the field.
    """
    problems: list[FeatureProblem] = []
    registrations: list[R] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        try:
            registration = _registration(feature, noun, properties_text, registration_of)
        except ValueError as error:
            problems.append(FeatureProblem(index, str(error)))
            continue
        if registration.id in seen:
            problems.append(FeatureProblem(index, f"{noun} id {registration.id!r} repeats feature {seen[registration.id]}"))
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
    return registrations, seen, sorted(problems, key=lambda problem: problem.index)


def _registration(feature: Any, noun: str, properties_text: str, registration_of: Callable[[dict[str, Any]], R]) -> R:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise ValueError(f"`properties` must be an object with {properties_text}")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise ValueError(f"geometry: a {noun}'s geometry is a GeoJSON Point")
    try:
        return registration_of({**properties, "location": geometry})
    except InvalidInput as error:
        raise ValueError(f"properties.{error.field}: {error}") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        where = where.replace("location.", "geometry.") if where.startswith("location") else f"properties.{where}"
        raise ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
