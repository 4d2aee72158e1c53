"""Agencies: administrators register them; operators list them."""

from __future__ import annotations

from flask import Blueprint, url_for
from sqlalchemy import select

from coordination import AgencyRegistration, Role, register_agency
from coordination.representations import agency_json
from coordination.store.tables import Agency
from web.api.listing import page_of
from web.context import api, json_body, principal, services, session

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
    return body, 201, {"Location": url_for("agencies.list_agencies") + f"/{registered.agency.id}",
                       "Cache-Control": "no-store"}


@blueprint.get("/agencies")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
def list_agencies():
    """Registered agencies (never their secrets)."""
    return page_of(select(Agency).order_by(Agency.code), agency_json)
