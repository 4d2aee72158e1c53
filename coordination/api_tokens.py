"""API tokens: issued (with an optional expiry), checked on every call, listed with their last
use, and revoked, so that a leaked integration token stops working at once.

Last use is kept to the minute: recording it on every call would make every read a write (on
PostgreSQL, a wait for the writer lock), so a call records it only when the stored time is
`TOKEN_USE_RESOLUTION` old or more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from coordination.principals import Principal, Role, new_token, token_digest
from coordination.store.tables import Agency, ApiToken
from coordination.store.writer_lock import take_writer_lock

TOKEN_USE_RESOLUTION = timedelta(minutes=1)
"""How stale a token's recorded last use may be before a call records it again."""

MAX_TOKEN_LIFETIME = timedelta(days=3650)


class TokenStatus:
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the record, and the bearer secret itself (shown once, never stored)."""

    record: ApiToken
    token: str


def issue_token(
    *, session: Session, clock: Clock, name: str, role: Role, agency_id: uuid.UUID | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Create a bearer token and return it; only its digest is stored."""
    return _issue(session=session, clock=clock, name=name, role=role, agency_id=agency_id,
                  expires_at=expires_at).token


def create_token(*, session: Session, clock: Clock, name: str, role: Role, actor: Principal,
                 expires_in: timedelta | None = None) -> IssuedToken:
    """Issue a token for a person or an integration (not an agency: agencies get theirs when
    registered, and rotate it), recorded on the timeline.

    Raises:
        InvalidInput: an agency role, a blank name, or an expiry not in the future or over ten years.
    """
    if role is Role.AGENCY:
        raise InvalidInput("agency tokens are issued when the agency is registered (and rotated there)",
                           field="role")
    name = name.strip()
    if not name:
        raise InvalidInput("name the token's holder", field="name")
    if expires_in is not None and not timedelta(0) < expires_in <= MAX_TOKEN_LIFETIME:
        raise InvalidInput("the expiry must be in the future and at most ten years away", field="expires_in")
    now = clock.now()
    issued = _issue(session=session, clock=clock, name=name, role=role, agency_id=None,
                    expires_at=now + expires_in if expires_in is not None else None)
    audit.record(session, at=now, kind="token.issued", actor=actor.label,
                 summary=f"API token {issued.record.id} issued to {name} ({role.value})"
                 + (f", expiring {issued.record.expires_at.isoformat()}" if issued.record.expires_at else ""),
                 data={"token_id": str(issued.record.id), "name": name, "role": role.value,
                       "expires_at": issued.record.expires_at})
    return issued


def revoke_token(*, session: Session, clock: Clock, token_id: uuid.UUID, actor: Principal) -> ApiToken:
    """Revoke a token for good: from this moment every call with it is refused (401).

    Raises:
        NotFound: no such token.
        Conflict: it is revoked already.
    """
    take_writer_lock(session)  # two revocations at once: the second sees the first's
    record = session.get(ApiToken, token_id, populate_existing=True)
    if record is None:
        raise NotFound(f"no API token has the id {token_id}")
    if record.revoked_at is not None:
        raise Conflict(f"API token {token_id} was revoked at {record.revoked_at.isoformat()}")
    now = clock.now()
    record.revoked_at = now
    audit.record(session, at=now, kind="token.revoked", actor=actor.label,
                 summary=f"API token {record.id} of {record.name} ({record.role.value}) revoked",
                 data={"token_id": str(record.id), "name": record.name, "role": record.role.value})
    return record


def token_named(session: Session, reference: str) -> ApiToken:
    """The token a person names by its id, or by its holder's name when one active token has it.

    Raises:
        NotFound: nothing matches.
        InvalidInput: the name is held by several active tokens (each id is listed).
    """
    try:
        found = session.get(ApiToken, uuid.UUID(reference))
    except ValueError:
        found = None
    if found is not None:
        return found
    named = session.scalars(select(ApiToken).where(ApiToken.name == reference, ApiToken.revoked_at.is_(None))
                            .order_by(ApiToken.created_at)).all()
    if not named:
        raise NotFound(f"no active API token has the id or name {reference!r}")
    if len(named) > 1:
        ids = ", ".join(str(record.id) for record in named)
        raise InvalidInput(f"{len(named)} active tokens are named {reference!r}: give one id of {ids}", field="token")
    return named[0]


def tokens_query(*, include_inactive: bool = True, now: datetime | None = None) -> Select:
    """Tokens newest first; without `include_inactive`, only those neither revoked nor expired at `now`."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id)
    if not include_inactive:
        query = query.where(ApiToken.revoked_at.is_(None),
                            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
    return query


def token_status(record: ApiToken, now: datetime) -> str:
    if record.revoked_at is not None:
        return TokenStatus.REVOKED
    if record.expires_at is not None and record.expires_at <= now:
        return TokenStatus.EXPIRED
    return TokenStatus.ACTIVE


def token_json(record: ApiToken, now: datetime) -> dict[str, Any]:
    """A token as listed: who holds it, its role, and its life; never the token or its digest."""
    agency: Agency | None = record.agency
    return {"id": str(record.id), "name": record.name, "role": record.role.value,
            "agency_code": agency.code if agency is not None else None, "status": token_status(record, now),
            "created_at": _iso(record.created_at), "expires_at": _iso(record.expires_at),
            "last_used_at": _iso(record.last_used_at), "revoked_at": _iso(record.revoked_at)}


def authenticate(*, session: Session, clock: Clock, token: str) -> Principal:
    """Return the principal a bearer token stands for.

    Raises:
        Unauthenticated: the token is unknown, revoked or expired, or its agency is disabled.
    """
    record = session.scalar(select(ApiToken).where(ApiToken.token_digest == token_digest(token)))
    now = clock.now()
    if record is None:
        raise Unauthenticated("the token is not valid")
    if record.revoked_at is not None:
        raise Unauthenticated("the token has been revoked")
    if record.expires_at is not None and record.expires_at <= now:
        raise Unauthenticated("the token has expired")
    if record.agency is not None and not record.agency.is_active:
        raise Unauthenticated("the token's agency is disabled")
    return Principal(token_id=record.id, name=record.name, role=record.role, agency_id=record.agency_id)


def token_use_due(*, session: Session, principal: Principal, now: datetime) -> bool:
    """Whether this call should record its token's use: its last use is unknown or a minute old.
    Reads the record `authenticate` loaded, so it costs no query."""
    if principal.token_id is None:
        return False
    record = session.get(ApiToken, principal.token_id)
    return record is not None and (record.last_used_at is None or now - record.last_used_at >= TOKEN_USE_RESOLUTION)


def record_token_use(*, session: Session, token_id: uuid.UUID, at: datetime) -> None:
    """Set the token's last use to `at`, unless a call at the same time already moved it on."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id,
                                           or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < at))
                    .values(last_used_at=at))


def _issue(*, session: Session, clock: Clock, name: str, role: Role, agency_id: uuid.UUID | None,
           expires_at: datetime | None) -> IssuedToken:
    if (role is Role.AGENCY) != (agency_id is not None):
        raise ValueError("an agency token needs an agency, and only an agency token has one")
    token = new_token()
    record = ApiToken(token_digest=token_digest(token), name=name, role=role, agency_id=agency_id,
                      created_at=clock.now(), expires_at=expires_at)
    session.add(record)
    session.flush()
    return IssuedToken(record, token)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
