"""Agencies: administrators register them; operators list them."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, url_for
from pydantic import BaseModel, ConfigDict, Field

from coordination import AgencyRegistration, NotFound, Role, register_agency
from coordination.agencies import (
    enable_webhook,
    rotate_agency_token,
    rotate_webhook_secret,
)
from coordination.agency_import import import_agencies, parse_feature_collection
from coordination.representations import agency_json
from coordination.queries.agencies import agencies_query, find_agency_by_code
from web.api.listing import page_of
from web.api.query import page, takes_query
from web.api.tasks import AcknowledgeBody
from web.app.context import (
    api,
    json_body,
    optional_json_body,
    principal,
    raw_body,
    services,
    session,
)

blueprint = Blueprint("agencies", __name__)


@blueprint.post("/agencies")
@api(Role.ADMINISTRATOR)
def register():
    """Register an agency. The response carries its API token and webhook secret, shown once."""
    registration = json_body(AgencyRegistration)
    context = services()
    registered = register_agency(session=session(), clock=context.clock, registration=registration,
                                 allowed_hosts=context.settings.allowed_webhook_hosts, actor=principal())
    body = {**agency_json(registered.agency), "api_token": registered.token,
            "webhook_secret": registered.agency.webhook_secret}
    return body, 201, {"Location": url_for("agencies.read", code=registered.agency.code),
                       "Cache-Control": "no-store"}


@blueprint.get("/agencies")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(*page())
def list_agencies():
    """Registered agencies (never their secrets)."""
    return page_of(agencies_query(), agency_json)


# Issue 4: import, chain of command, token and secret rotation, re-enabling an endpoint.

class WebhookEnableBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook_url: str | None = Field(default=None, max_length=2000)


class TokenRotationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


def _agency_for(code: str):
    """The agency named by `code`, if the caller may manage it: administrators any, an agency only itself."""
    caller = principal()
    agency = find_agency_by_code(session(), code)
    if agency is None or (caller.role is Role.AGENCY and agency.id != caller.agency_id):
        raise NotFound(f"agency {code!r} does not exist")
    return agency


def agency_detail_json(agency) -> dict:
    return {**agency_json(agency), "priority": agency.priority, "chain_of_command": agency.chain_of_command,
            "jurisdiction": agency.jurisdiction,
            "webhook_disabled_at": agency.webhook_disabled_at.isoformat() if agency.webhook_disabled_at else None,
            "secret_rotation_ends_at": agency.previous_secret_expires_at.isoformat()
            if agency.previous_secret_expires_at else None}


@blueprint.get("/agencies/<code>")
@api(Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
def read(code: str):
    """One agency with its jurisdiction and chain of command (an agency reads only itself)."""
    return agency_detail_json(_agency_for(code))


@blueprint.post("/agencies/import")
@api(Role.ADMINISTRATOR)
def import_geojson():
    """Import agencies and jurisdictions from a GeoJSON FeatureCollection: all of it, or nothing."""
    data = raw_body(mimetypes=("application/geo+json", "application/json"), what="a GeoJSON FeatureCollection")
    context = services()
    result = import_agencies(session=session(), clock=context.clock, features=parse_feature_collection(
        data.decode("utf-8", errors="replace")), allowed_hosts=context.settings.allowed_webhook_hosts,
        actor=principal())
    return {"registered": [{**agency_json(item.agency), "api_token": item.token,
                            "webhook_secret": item.agency.webhook_secret} for item in result.registered],
            "updated": result.updated}, 200, {"Cache-Control": "no-store"}


@blueprint.post("/agencies/<code>/token")
@api(Role.AGENCY, Role.ADMINISTRATOR)
def rotate_token(code: str):
    """Issue a new API token for the agency and revoke its older ones (shown once)."""
    body = optional_json_body(TokenRotationBody)
    agency = _agency_for(code)
    context = services()
    expires_at = context.clock.now() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    token = rotate_agency_token(session=session(), clock=context.clock, agency=agency, actor=principal(),
                                expires_at=expires_at)
    return {"agency": agency.code, "api_token": token, "expires_at": expires_at.isoformat() if expires_at else None
            }, 200, {"Cache-Control": "no-store"}


@blueprint.post("/agencies/<code>/webhook-secret")
@api(Role.AGENCY, Role.ADMINISTRATOR)
def rotate_secret(code: str):
    """Rotate the webhook secret; for a day both the old and the new one sign every message."""
    optional_json_body(AcknowledgeBody)
    agency = _agency_for(code)
    secret = rotate_webhook_secret(session=session(), clock=services().clock, agency=agency, actor=principal())
    return {"agency": agency.code, "webhook_secret": secret,
            "previous_secret_valid_until": agency.previous_secret_expires_at.isoformat()
            }, 200, {"Cache-Control": "no-store"}


@blueprint.post("/agencies/<code>/webhook/enable")
@api(Role.ADMINISTRATOR)
def enable(code: str):
    """Re-enable an endpoint disabled by 410 Gone (optionally at a new URL); held messages resume."""
    body = optional_json_body(WebhookEnableBody)
    context = services()
    agency = enable_webhook(session=session(), clock=context.clock, agency=_agency_for(code), actor=principal(),
                            allowed_hosts=context.settings.allowed_webhook_hosts, webhook_url=body.webhook_url)
    return agency_detail_json(agency)
