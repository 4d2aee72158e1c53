"""API tokens (administrators): list them with their last use, issue one (shown once), revoke one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from coordination import Role
from coordination.api_tokens import create_token, revoke_token, token_json, tokens_query
from web.api.listing import page_of
from web.api.query import arg, boolean, page, takes_query
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("tokens", __name__)


class NewTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Who holds it: a person or an integration.")
    role: Role = Field(description="Any role but `agency` (agencies get theirs when registered).")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650,
                                        description="Refused after this many days (default: until revoked).")


@blueprint.get("/tokens")
@api(Role.ADMINISTRATOR)
@takes_query(boolean("active", "true: only tokens neither revoked nor expired"), *page())
def list_tokens():
    """API tokens, newest first, with role, agency, status, creation, expiry and last use (to the
    minute); never the token. `active=true` leaves out revoked and expired ones."""
    now = services().clock.now()
    active = arg("active")
    return page_of(tokens_query(include_inactive=not active, now=now), lambda record: token_json(record, now))


@blueprint.post("/tokens")
@api(Role.ADMINISTRATOR)
def create():
    """Issue a token for a person or an integration; the response carries it, shown once."""
    body = json_body(NewTokenRequest)
    context = services()
    issued = create_token(session=session(), clock=context.clock, name=body.name, role=body.role,
                          actor=principal(),
                          expires_in=timedelta(days=body.expires_in_days) if body.expires_in_days else None)
    return ({**token_json(issued.record, context.clock.now()), "token": issued.token}, 201,
            {"Cache-Control": "no-store"})


@blueprint.post("/tokens/<uuid:token_id>/revoke")
@api(Role.ADMINISTRATOR)
def revoke(token_id: uuid.UUID):
    """Revoke a token for good: every call with it is refused (401) from now on."""
    context = services()
    record = revoke_token(session=session(), clock=context.clock, token_id=token_id, actor=principal())
    return token_json(record, context.clock.now())
