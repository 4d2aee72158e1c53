"""Agencies, their API tokens and their webhook endpoints."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, Unauthenticated
from coordination.principals import Principal, Role, new_token, token_digest
from coordination.store.tables import Agency, ApiToken
from coordination.webhooks.allowlist import check_webhook_url
from sop_engine import AgencyRole


class AgencyRegistration(BaseModel):
    """What an administrator supplies to register an agency."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    name: str = Field(min_length=1, max_length=200)
    kind: AgencyRole
    webhook_url: str | None = Field(default=None, max_length=2000)
    jurisdiction: dict[str, Any] | None = None


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
        created_at=now,
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


def issue_token(
    *, session: Session, clock: Clock, name: str, role: Role, agency_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Create a bearer token and return it; only its digest is stored."""
    if (role is Role.AGENCY) != (agency_id is not None):
        raise ValueError("an agency token needs an agency, and only an agency token has one")
    token = new_token()
    session.add(
        ApiToken(
            token_digest=token_digest(token), name=name, role=role, agency_id=agency_id,
            created_at=clock.now(), expires_at=expires_at,
        )
    )
    session.flush()
    return token


def authenticate(*, session: Session, clock: Clock, token: str) -> Principal:
    """Return the principal a bearer token stands for.

    Raises:
        Unauthenticated: the token is unknown, revoked or expired, or its agency is disabled.
    """
    record = session.scalar(select(ApiToken).where(ApiToken.token_digest == token_digest(token)))
    now = clock.now()
    if record is None or record.revoked_at is not None:
        raise Unauthenticated("the token is not valid")
    if record.expires_at is not None and record.expires_at <= now:
        raise Unauthenticated("the token has expired")
    if record.agency is not None and not record.agency.is_active:
        raise Unauthenticated("the token's agency is disabled")
    return Principal(token_id=record.id, name=record.name, role=record.role, agency_id=record.agency_id)
