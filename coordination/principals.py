"""Who is calling: roles, the authenticated principal, and API tokens (issued and checked)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    ADMINISTRATOR = "administrator"
    DUTY_OFFICER = "duty_officer"
    AGENCY = "agency"
    PLANNER = "planner"
    VIEWER = "viewer"
    ALERT_SOURCE = "alert_source"
    """An integration that posts CAP alerts (a met office, a seismic network, a utility's SCADA)."""
    SENSOR_FEED = "sensor_feed"
    """An integration that posts sensor readings (a FIWARE or IUDX subscription, a SCADA gateway)."""


TOKEN_PREFIX = "iccc_"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller (an API token or a signed-in user). `agency_id` is set exactly
    when the role is AGENCY."""

    token_id: uuid.UUID | None
    name: str
    role: Role
    agency_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    """Set when a person signed in to the console with a password (not an API token)."""

    @property
    def label(self) -> str:
        """How the caller appears on the timeline: role and name, never a credential."""
        return f"{self.role.value}:{self.name}"


SYSTEM = Principal(token_id=None, name="engine", role=Role.ADMINISTRATOR)


def new_token() -> str:
    """Return a fresh bearer token (256 bits from the OS's CSPRNG)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
