"""Agencies, their API tokens, console users, sign-in attempts and the routing policy per role."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.principals import Role
from coordination.store.tables.base import Base, _enum
from sop_engine import AgencyRole


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AgencyRole] = mapped_column(_enum(AgencyRole))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A GeoJSON Polygon or MultiPolygon; None means the whole city."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Issue 4: chain of command, overlap priority, secret rotation, endpoint disabling.
    chain_of_command: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """`{"desk": {...}, "supervisor": {...}, "head": {...}}`, each `{name, phone, email}`."""
    priority: Mapped[int] = mapped_column(Integer, default=100)
    """Where jurisdictions overlap and the rule is `primary`, the lowest priority takes the task."""
    previous_webhook_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    """Until then, messages carry a signature with the previous secret too (rotation)."""
    webhook_disabled_at: Mapped[datetime | None]
    """Set when the endpoint answered 410 Gone; nothing is sent until an administrator re-enables it."""
    updated_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer credential. Only a SHA-256 digest of the token is kept (tokens are 256-bit
    random strings, so a fast digest is enough; passwords, which are not, are another matter)."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    """The last call made with it, to the minute (`coordination.api_tokens.TOKEN_USE_RESOLUTION`)."""

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class User(Base):
    """A person who signs in to the console. Passwords are kept only as argon2 hashes."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship(lazy="joined")


class SignInAttempt(Base):
    """Every password sign-in, kept for rate limiting by username and by address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_username_at", "username", "at"),
        Index("ix_sign_in_attempts_remote_address_at", "remote_address", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64))
    remote_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)


class RoutingPolicy(Base):
    """How a role's overlapping jurisdictions share a task: `primary` (one agency) or `all`."""

    __tablename__ = "routing_policies"

    role: Mapped[AgencyRole] = mapped_column(_enum(AgencyRole), primary_key=True)
    overlap: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime]
