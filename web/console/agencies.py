"""Administrators' console: agencies and their jurisdictions (one at a time or a GeoJSON
import), each agency's webhook endpoint and the rotation of its webhook secret.

Every form calls the use case the API calls. A new agency's token and secret, and a rotated
secret, are rendered once in the answer to the form (never put in the session cookie, never
logged, never cached) and cannot be shown again."""

from __future__ import annotations

import json

from flask import Blueprint, abort, redirect, render_template, request, url_for
from pydantic import ValidationError

from coordination import (
    AgencyRegistration,
    Conflict,
    InvalidInput,
    NotFound,
    register_agency,
)
from coordination.agencies import agency_by_code, enable_webhook, rotate_webhook_secret
from coordination.agency_import import (
    AgencyImportRejected,
    import_agencies,
    parse_feature_collection,
)
from coordination.queries.agencies import all_agencies, find_agency_by_code, users_of
from coordination.queries.fleet import stations_of
from sop_engine import AgencyRole
from web.app.context import services
from web.app.problems import status_for
from web.console.access import csrf_token
from web.console.forms import (
    FORM_ERROR_STATUS,
    administrator,
    administrator_posting,
    field_errors,
    form_text,
    optional_text,
)

blueprint = Blueprint("agency_admin", __name__)

NOT_CACHED = {"Cache-Control": "no-store"}
"""Pages that show a token or a secret once."""


def _agencies_page(*, status: int = 200, register_errors: dict | None = None, import_problems: list | None = None,
                   import_error: str | None = None, registered: list | None = None, updated: list | None = None,
                   headers: dict | None = None):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        agencies = all_agencies(db)
        page = render_template(
            "admin/agencies.html", caller=caller, csrf_token=csrf_token(), agencies=agencies,
            kinds=[(kind.value, kind.value.replace("_", " ")) for kind in AgencyRole],
            form=request.form if register_errors or import_error else {}, register_errors=register_errors or {},
            import_problems=import_problems, import_error=import_error, registered=registered, updated=updated,
        )
    return page, status, headers or {}


@blueprint.get("/console/admin/agencies")
def agencies_page():
    return _agencies_page()


def _registration_from_form() -> AgencyRegistration:
    jurisdiction_text = form_text("jurisdiction")
    try:
        jurisdiction = json.loads(jurisdiction_text) if jurisdiction_text else None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not JSON: {error.msg} at line {error.lineno}", field="jurisdiction") from None
    return AgencyRegistration.model_validate({
        "code": form_text("code"), "name": form_text("name"), "kind": form_text("kind"),
        "webhook_url": optional_text("webhook_url"), "jurisdiction": jurisdiction,
        "priority": form_text("priority") or 100,
    })


@blueprint.post("/console/admin/agencies")
def register():
    """Register one agency; its API token and webhook secret are shown once."""
    caller = administrator_posting()
    context = services()
    try:
        registration = _registration_from_form()
        with context.store.transaction() as db:
            registered = register_agency(session=db, clock=context.clock, registration=registration,
                                         allowed_hosts=context.settings.allowed_webhook_hosts, actor=caller)
            shown = [(registered.agency.code, registered.token, registered.agency.webhook_secret)]
    except (ValidationError, InvalidInput, Conflict) as error:
        return _agencies_page(status=status_for(error), register_errors=field_errors(error))
    return _agencies_page(status=201, registered=shown, headers=NOT_CACHED)


def _uploaded_geojson() -> str:
    upload = request.files.get("geojson_file")
    if upload is not None and upload.filename:
        return upload.read().decode("utf-8", errors="replace")
    return request.form.get("geojson", "")


@blueprint.post("/console/admin/agencies/import")
def import_collection():
    """Import a FeatureCollection: all of it, or nothing with every bad feature listed."""
    caller = administrator_posting()
    context = services()
    text = _uploaded_geojson()
    if not text.strip():
        return _agencies_page(status=FORM_ERROR_STATUS, import_error="choose a GeoJSON file or paste one")
    try:
        with context.store.transaction() as db:
            result = import_agencies(session=db, clock=context.clock, features=parse_feature_collection(text),
                                     allowed_hosts=context.settings.allowed_webhook_hosts, actor=caller)
            shown = [(item.agency.code, item.token, item.agency.webhook_secret) for item in result.registered]
    except AgencyImportRejected as rejected:
        return _agencies_page(status=status_for(rejected), import_problems=rejected.problems,
                              import_error=f"{len(rejected.problems)} bad feature(s); nothing was imported")
    return _agencies_page(registered=shown, updated=result.updated, headers=NOT_CACHED)


def _agency_page(code: str, *, status: int = 200, webhook_errors: dict | None = None, secret: str | None = None,
                 headers: dict | None = None):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        agency = find_agency_by_code(db, code)
        if agency is None:
            abort(404)
        page = render_template(
            "admin/agency.html", caller=caller, csrf_token=csrf_token(), agency=agency,
            stations=stations_of(db, agency.id),
            users=users_of(db, agency.id),
            form=request.form if request.method == "POST" else {}, webhook_errors=webhook_errors or {},
            secret=secret,
        )
    return page, status, headers or {}


@blueprint.get("/console/admin/agencies/<code>")
def agency_page(code: str):
    return _agency_page(code)


@blueprint.post("/console/admin/agencies/<code>/webhook")
def set_webhook(code: str):
    """Point the agency's webhook endpoint at a URL on the allowlist (and re-enable it)."""
    caller = administrator_posting()
    context = services()
    try:
        with context.store.transaction() as db:
            enable_webhook(session=db, clock=context.clock, agency=_existing(db, code), actor=caller,
                           allowed_hosts=context.settings.allowed_webhook_hosts,
                           webhook_url=form_text("webhook_url") or None)
    except (InvalidInput, Conflict) as error:
        return _agency_page(code, status=status_for(error), webhook_errors=field_errors(error))
    return redirect(url_for("agency_admin.agency_page", code=code))


@blueprint.post("/console/admin/agencies/<code>/webhook-secret")
def rotate_secret(code: str):
    """Rotate the webhook secret: the new one is shown once; the old one also signs for a day."""
    caller = administrator_posting()
    context = services()
    try:
        with context.store.transaction() as db:
            secret = rotate_webhook_secret(session=db, clock=context.clock, agency=_existing(db, code), actor=caller)
    except Conflict as error:
        return _agency_page(code, status=status_for(error), webhook_errors=field_errors(error))
    return _agency_page(code, secret=secret, headers=NOT_CACHED)


def _existing(db, code: str):
    return agency_by_code(db, code)  # NotFound answers 404 through the error map
