"""Reading the API tokens a console session was opened with."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from coordination.principals import Principal
from coordination.store.tables import ApiToken


def live_token_principal(session: Session, token_id: uuid.UUID, *, now: datetime) -> Principal | None:
    """Who the token names, if it exists, is not revoked and has not expired by `now`."""
    record = session.get(ApiToken, token_id)
    if record is None or record.revoked_at is not None or (record.expires_at and record.expires_at <= now):
        return None
    return Principal(token_id=record.id, name=record.name, role=record.role, agency_id=record.agency_id)
