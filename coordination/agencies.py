"""Agencies, their API tokens (issued and rotated; `api_tokens` checks them) and their webhook endpoints."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.api_tokens import issue_token
from coordination.errors import Conflict, InvalidInput, NotFound
from coordination.jurisdictions import checked_jurisdiction
from coordination.principals import Principal, Role
from coordination.store.tables import Agency, ApiToken
from coordination.store.writer_lock import take_writer_lock
from coordination.webhooks.allowlist import check_webhook_url
from sop_engine import AgencyRole, EscalationTarget

SECRET_ROTATION_OVERLAP_S = 24 * 3600  # a day: time for an agency to deploy the new secret


class Contact(BaseModel):
    """A person on an agency's chain of command."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)


class ChainOfCommand(BaseModel):
    """Who answers at each level: the desk takes tasks; the supervisor and the head are the
    escalation rungs `agency_supervisor` and `agency_head`."""

    model_config = ConfigDict(extra="forbid")

    desk: Contact | None = None
    supervisor: Contact | None = None
    head: Contact | None = None


class AgencyRegistration(BaseModel):
    """What an administrator supplies to register an agency."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyRole
    webhook_url: str | None = Field(default=None, max_length=2000)
    jurisdiction: dict[str, Any] | None = None
    """A GeoJSON Polygon or MultiPolygon (longitude, latitude); none means the whole city."""
    priority: int = Field(default=100, ge=0, le=10_000)
    chain_of_command: ChainOfCommand | None = None

    @field_validator("jurisdiction")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return checked_jurisdiction(value)
        except InvalidInput as error:
            raise ValueError(str(error)) from None


@dataclass(frozen=True)
class RegisteredAgency:
    agency: Agency
    token: str
    """Shown once; only its digest is stored."""


def new_webhook_secret() -> str:
    """Return a Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def register_agency(
    *, session: Session, clock: Clock, registration: AgencyRegistration, allowed_hosts: frozenset[str],
    actor: Principal,
) -> RegisteredAgency:
    """Register an agency with a webhook secret and its first API token.

    Raises:
        UnsafeWebhookUrl: the webhook URL's host is not on the allowlist.
        Conflict: the code is taken.
    """
    if registration.webhook_url is not None:
        check_webhook_url(registration.webhook_url, allowed_hosts)
    if session.scalar(select(Agency.id).where(Agency.code == registration.code)) is not None:
        raise Conflict(f"agency code {registration.code!r} is already registered")
    now = clock.now()
    agency = Agency(
        code=registration.code,
        name=registration.name,
        kind=registration.kind,
        webhook_url=registration.webhook_url,
        webhook_secret=new_webhook_secret() if registration.webhook_url else None,
        jurisdiction=registration.jurisdiction,
        priority=registration.priority,
        chain_of_command=registration.chain_of_command.model_dump() if registration.chain_of_command else None,
        created_at=now,
        updated_at=now,
    )
    session.add(agency)
    session.flush()
    token = issue_token(session=session, clock=clock, name=agency.code, role=Role.AGENCY, agency_id=agency.id)
    audit.record(
        session, at=now, kind="agency.registered", actor=actor.label,
        summary=f"agency {agency.code} ({agency.kind.value}) registered",
        data={"agency_id": str(agency.id), "webhook_url": agency.webhook_url},
    )
    return RegisteredAgency(agency, token)


def escalation_contact(agency: Agency, target: EscalationTarget) -> dict[str, Any] | None:
    """The person on the agency's chain of command that an escalation rung reaches, if recorded."""
    level = {EscalationTarget.AGENCY_SUPERVISOR: "supervisor", EscalationTarget.AGENCY_HEAD: "head"}.get(target)
    if level is None or not agency.chain_of_command:
        return None
    return agency.chain_of_command.get(level)


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(f"agency {code!r} does not exist")
    return agency


def _read_under_the_writer_lock(session: Session, agency: Agency) -> None:
    """Take the writer lock, then read the agency again: the caller loaded it before, and a change
    committed meanwhile (another rotation) must be built on, not overwritten."""
    take_writer_lock(session)
    session.refresh(agency)


def rotate_webhook_secret(*, session: Session, clock: Clock, agency: Agency, actor: Principal,
                          overlap_s: float = SECRET_ROTATION_OVERLAP_S) -> str:
    """Give the agency a new webhook secret and return it (shown once).

    For `overlap_s` every message is signed with both the new and the old secret, so the agency
    can switch its receiver over without dropping a message.
    """
    _read_under_the_writer_lock(session, agency)
    if not agency.webhook_url:
        raise Conflict(f"agency {agency.code} has no webhook endpoint to sign for")
    now = clock.now()
    agency.previous_webhook_secret = agency.webhook_secret
    agency.previous_secret_expires_at = now + timedelta(seconds=overlap_s)
    agency.webhook_secret = new_webhook_secret()
    agency.updated_at = now
    audit.record(session, at=now, kind="agency.secret_rotated", actor=actor.label,
                 summary=f"webhook secret of {agency.code} rotated; the old one signs too until "
                 f"{agency.previous_secret_expires_at.isoformat()}", data={"agency": agency.code})
    return agency.webhook_secret


def rotate_agency_token(*, session: Session, clock: Clock, agency: Agency, actor: Principal,
                        expires_at: datetime | None = None) -> str:
    """Issue a new API token for the agency and revoke every older one; return it (shown once)."""
    now = clock.now()
    session.execute(
        update(ApiToken).where(ApiToken.agency_id == agency.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    token = issue_token(session=session, clock=clock, name=agency.code, role=Role.AGENCY, agency_id=agency.id,
                        expires_at=expires_at)
    audit.record(session, at=now, kind="agency.token_rotated", actor=actor.label,
                 summary=f"API token of {agency.code} rotated; older tokens revoked", data={"agency": agency.code})
    return token


def enable_webhook(*, session: Session, clock: Clock, agency: Agency, actor: Principal,
                   allowed_hosts: frozenset[str], webhook_url: str | None = None) -> Agency:
    """Re-enable an endpoint disabled by `410 Gone` (optionally at a new URL); held messages resume."""
    _read_under_the_writer_lock(session, agency)
    now = clock.now()
    if webhook_url is not None:
        check_webhook_url(webhook_url, allowed_hosts)
        agency.webhook_url = webhook_url
        agency.webhook_secret = agency.webhook_secret or new_webhook_secret()
    if not agency.webhook_url:
        raise Conflict(f"agency {agency.code} has no webhook endpoint")
    agency.webhook_disabled_at = None
    agency.updated_at = now
    audit.record(session, at=now, kind="agency.webhook_enabled", actor=actor.label,
                 summary=f"webhook endpoint of {agency.code} enabled: {agency.webhook_url}",
                 data={"agency": agency.code, "webhook_url": agency.webhook_url})
    return agency
