"""The OpenAPI 3.1 document, built from the app's own routes so that it describes every one."""

from __future__ import annotations

import inspect
import re
from typing import Any

from flask import Blueprint, current_app
from pydantic import BaseModel

from coordination import AgencyRegistration, IncidentReport, IncidentRevision
from coordination.cap.notices import NoticeDraft
from coordination.dispatch_service import (
    PositionFix,
    StationRegistration,
    StatusReport,
    UnitRegistration,
)
from coordination.devices import DeviceCommandRequest, DeviceRegistration
from coordination.sensors import SensorRegistration
from web.api.agencies import TokenRotationBody, WebhookEnableBody
from web.api.decisions import DecisionAnswer, StandDownRequest
from web.api.dispatch import AcceptanceBody, RecommendationRequest
from web.api.incident_runs import SopStart
from web.api.media_types import response_media_types
from web.api.query import declared_query
from web.api.tasks import AcknowledgeBody, CompleteBody, ProgressBody, RejectBody
from web.api.tokens import NewTokenRequest
from web.api.users import NewUserRequest, PasswordChange, UserChange

blueprint = Blueprint("openapi", __name__)

API_PREFIX = "/api/v1"

REQUEST_BODIES: dict[str, type[BaseModel] | str] = {
    "incidents.declare": IncidentReport,
    "incidents.revise": IncidentRevision,
    "agencies.register": AgencyRegistration,
    "tasks.progress": ProgressBody,
    "tasks.complete": CompleteBody,
    "tasks.reject": RejectBody,
    "sops.upload": "application/yaml",
    "rules.upload": "application/yaml",
    "decisions.answer": DecisionAnswer,
    "decisions.stand_down_incident": StandDownRequest,
    "notices.draft": NoticeDraft,
    "agencies.rotate_token": TokenRotationBody,
    "agencies.enable": WebhookEnableBody,
    "units.register_a_station": StationRegistration,
    "units.register_a_unit": UnitRegistration,
    "units.report_position": PositionFix,
    "units.report_unit_status": StatusReport,
    "dispatch.recommend": RecommendationRequest,
    "dispatch.accept": AcceptanceBody,
    "incident_runs.start": SopStart,
    "users.create": NewUserRequest,
    "users.change": UserChange,
    "users.change_password": PasswordChange,
    "tokens.create": NewTokenRequest,
    "sensors.register_a_sensor": SensorRegistration,
    "devices.register_a_device": DeviceRegistration,
    "devices.command_incident_devices": DeviceCommandRequest,
    "tasks.acknowledge": AcknowledgeBody,
    "agencies.rotate_secret": AcknowledgeBody,
    "notices.approve": AcknowledgeBody,
    "officer_alerts.acknowledge": AcknowledgeBody,
    "webhooks.replay": AcknowledgeBody,
}
OPTIONAL_BODIES = {"tasks.complete", "agencies.rotate_token", "agencies.enable", "dispatch.accept", "tasks.acknowledge",
                   "agencies.rotate_secret", "notices.approve", "officer_alerts.acknowledge", "webhooks.replay"}
"""Routes whose JSON body may be left out (every field has a default)."""

CREATED = {"incidents.declare", "agencies.register", "sops.upload", "rules.upload", "alerts.receive_cap", "notices.draft",
           "units.register_a_station", "units.register_a_unit", "dispatch.recommend", "incident_runs.start",
           "users.create", "tokens.create"}
ONLY_CREATED = {"sensors.register_a_sensor", "devices.register_a_device", "devices.command_incident_devices"}
"""Creates that refuse a repeat (409) rather than answer 200."""
EXTRA_REQUEST_BODIES = {"alerts.receive_cap": "application/cap+xml", "agencies.import_geojson": "application/geo+json",
                        "readings.receive_senml": "application/senml+json",
                        "readings.receive_ngsi_ld": "application/ld+json",
                        "sensors.import_geojson": "application/geo+json"}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_PARAMETER_SCHEMAS = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer"}}


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint == "openapi.document":
            continue
        view = current_app.view_functions[rule.endpoint]
        path = _PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ICCC coordination engine", "version": "1",
                 "description": "Incidents, SOP runs and agency tasks. Errors are application/problem+json "
                                "(RFC 9457) naming the offending field."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**schemas, "Problem": _PROBLEM},
        },
        "security": [{"bearer": []}],
    }


def _operation(rule, view, schemas: dict[str, Any]) -> dict[str, Any]:
    doc = inspect.getdoc(view) or rule.endpoint
    roles = getattr(view, "allowed_roles", ())
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_"),
        "summary": doc.splitlines()[0],
        "tags": [rule.endpoint.split(".")[0]],
        "parameters": [
            *({"name": name, "in": "path", "required": True,
               "schema": _PARAMETER_SCHEMAS.get(converter, {"type": "string"})}
              for converter, name in _PARAMETER.findall(rule.rule)),
            *(parameter.openapi() for parameter in declared_query(view).values()),
        ],
        "responses": {
            **{status: {"description": text, "content": {media_type: {} for media_type in response_media_types(view)}}
               for status, text in _successes(rule.endpoint).items()},
            **{
                status: {"description": text, "content": {"application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}}
                for status, text in _ERRORS.items()
            },
        },
    }
    if roles:
        operation["description"] = "Roles: " + ", ".join(role.value for role in roles)
    if getattr(view, "is_public", False):
        operation["security"] = []
        operation["description"] = "Public: no token needed."
    body = EXTRA_REQUEST_BODIES.get(rule.endpoint)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {body: {"schema": {"type": "string"}}}}
    body = REQUEST_BODIES.get(rule.endpoint)
    if isinstance(body, str):
        operation["requestBody"] = {"required": True, "content": {body: {"schema": {"type": "string"}}}}
    elif body is not None:
        schema = body.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[body.__name__] = schema
        operation["requestBody"] = {
            "required": rule.endpoint not in OPTIONAL_BODIES,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}},
        }
    return operation


def _successes(endpoint: str) -> dict[str, str]:
    # A create answers 200 when it changed nothing new: a repeated CAP alert, a duplicate report.
    if endpoint in ONLY_CREATED:
        return {"201": "Created"}
    return {"201": "Created", "200": "Already there (a repeat or a duplicate)"} if endpoint in CREATED \
        else {"200": "Success"}


_ERRORS = {
    "400": "Malformed request (e.g. not JSON)",
    "401": "Missing, unknown, revoked or expired token",
    "403": "The caller's role may not do this",
    "404": "No such resource (or not the caller's to see)",
    "409": "Conflicts with the current state (e.g. an illegal status move)",
    "413": "Body too large",
    "405": "The address does not take this method",
    "415": "Wrong content type",
    "422": "Invalid field; `field` names it",
}

_PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri-reference",
                 "description": "A page the engine serves (`/problems/<slug>`) saying what the problem means; "
                                "`/problems` lists them all."},
        "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status", "detail"],
}


@blueprint.get(API_PREFIX + "/openapi.json")
def document():
    """This document."""
    return build_document()

