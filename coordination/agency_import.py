"""Importing agencies and their jurisdictions from a GeoJSON FeatureCollection.

Each feature is one agency: its geometry is the jurisdiction (null: the whole city) and its
properties say who it is (`code`, `name`, `kind`, optional `webhook_url`, `priority`,
`chain_of_command`). Every feature is checked first; if any is bad, each bad one is reported by
index and reason and nothing is written. An agency whose code exists is updated (name, kind,
jurisdiction, priority, chain of command); a new one is registered with a token and a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.agencies import AgencyRegistration, RegisteredAgency, new_webhook_secret, register_agency
from coordination.clock import Clock
from coordination.errors import InvalidInput
from coordination.geojson import FeatureCollectionRejected, FeatureProblem, features_of
from coordination.jurisdictions import checked_jurisdiction
from coordination.principals import Principal
from coordination.store.tables import Agency
from coordination.webhooks.allowlist import check_webhook_url


class AgencyImportRejected(FeatureCollectionRejected):
    """The collection has bad agencies; `problems` lists every one. Nothing was imported."""


@dataclass
class ImportResult:
    registered: list[RegisteredAgency] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def parse_feature_collection(text: str) -> list[Any]:
    """Return the features of a GeoJSON FeatureCollection; raise `AgencyImportRejected` if it is not one."""
    return features_of(text, AgencyImportRejected)


def _registration(feature: Any, allowed_hosts: frozenset[str]) -> AgencyRegistration:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise ValueError("`properties` must be an object with code, name and kind")
    geometry = feature.get("geometry")
    try:
        jurisdiction = checked_jurisdiction(geometry, field="geometry") if geometry is not None else None
        registration = AgencyRegistration.model_validate({**properties, "jurisdiction": jurisdiction})
        if registration.webhook_url is not None:
            check_webhook_url(registration.webhook_url, allowed_hosts)
    except InvalidInput as error:
        raise ValueError(f"{error.field or 'geometry'}: {error}") from None
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"properties.{where}: {first['msg'].removeprefix('Value error, ')}") from None
    return registration


def import_agencies(*, session: Session, clock: Clock, features: list[Any], allowed_hosts: frozenset[str],
                    actor: Principal) -> ImportResult:
    """Register or update one agency per feature, all in the caller's transaction, or none.

    Raises:
        AgencyImportRejected: listing every bad feature (by index) and why.
    """
    problems: list[FeatureProblem] = []
    registrations: list[AgencyRegistration] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        try:
            registration = _registration(feature, allowed_hosts)
        except ValueError as error:
            problems.append(FeatureProblem(index, str(error)))
            continue
        if registration.code in seen:
            problems.append(FeatureProblem(index, f"code {registration.code!r} repeats feature {seen[registration.code]}"))
            continue
        seen[registration.code] = index
        registrations.append(registration)
    if problems:
        raise AgencyImportRejected(problems)
    existing = {agency.code: agency for agency in session.scalars(select(Agency).where(Agency.code.in_(seen)))}
    result = ImportResult()
    now = clock.now()
    for registration in registrations:
        agency = existing.get(registration.code)
        if agency is None:
            result.registered.append(register_agency(session=session, clock=clock, registration=registration,
                                                     allowed_hosts=allowed_hosts, actor=actor))
            continue
        agency.name, agency.kind, agency.priority = registration.name, registration.kind, registration.priority
        agency.jurisdiction = registration.jurisdiction
        if registration.chain_of_command is not None:
            agency.chain_of_command = registration.chain_of_command.model_dump()
        if registration.webhook_url is not None and registration.webhook_url != agency.webhook_url:
            agency.webhook_url = registration.webhook_url
            agency.webhook_secret = agency.webhook_secret or new_webhook_secret()
        agency.updated_at = now
        result.updated.append(agency.code)
    audit.record(session, at=now, kind="agencies.imported", actor=actor.label,
                 summary=f"agencies imported: {len(result.registered)} new, {len(result.updated)} updated",
                 data={"new": [item.agency.code for item in result.registered], "updated": result.updated})
    return result
