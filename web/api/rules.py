"""Trigger rules: the stored versions, the format's JSON Schema, uploads (validated first), the
version lifecycle, and the outcomes the rules decided (their firings, with the readings)."""

from __future__ import annotations


from flask import Blueprint, request

from coordination import Role
from coordination.rule_service import activate_rule_version, retire_rule_version, store_rule_version
from coordination.rule_service.queries import (
    outcome_json,
    outcomes_for_sensor,
    outcomes_query,
    rule_version_detail,
    rule_version_json,
    rule_versions_query,
    stored_rule_version,
)
from coordination.rules import rule_json_schema
from web.api.listing import page_of
from web.api.query import arg, boolean, identifier, page, takes_query, text
from web.api.sops import YAML_TYPES
from web.app.context import api, principal, services, session
from web.app.problems import BadRequestBody

blueprint = Blueprint("rules", __name__)

READERS = (Role.ADMINISTRATOR, Role.DUTY_OFFICER, Role.VIEWER, Role.PLANNER)


@blueprint.get("/rules")
@api(*READERS)
@takes_query(*page())
def list_rules():
    """Every stored trigger-rule version, active ones first."""
    return page_of(rule_versions_query(), rule_version_json)


@blueprint.get("/rules/schema")
@api(*READERS)
def schema():
    """The JSON Schema of the rule file format (its shape; uploads are also checked for meaning)."""
    return rule_json_schema()


@blueprint.get("/rules/<rule_id>/versions/<int:version>")
@api(*READERS)
def read_version(rule_id: str, version: int):
    """One rule version: what it watches and does, in words, and its source."""
    return rule_version_detail(stored_rule_version(session(), rule_id, version))


@blueprint.post("/rules")
@api(Role.ADMINISTRATOR)
@takes_query(boolean("activate", "Make it the active version (false: store it only)", default=True))
def upload():
    """Upload a rule version as YAML; it becomes the rule's active version unless `?activate=false`."""
    if request.mimetype not in YAML_TYPES:
        raise BadRequestBody("send the rule as YAML with `Content-Type: application/yaml`", status=415)
    activate = arg("activate")
    try:
        text = request.get_data(as_text=False).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestBody("the rule must be UTF-8 text") from None
    version = store_rule_version(session=session(), clock=services().clock, text=text, source="upload",
                                 actor=principal(), activate=activate)
    return rule_version_json(version), 201


@blueprint.post("/rules/<rule_id>/versions/<int:version>/activate")
@api(Role.ADMINISTRATOR)
def activate(rule_id: str, version: int):
    """Make this version the one the engine evaluates (the rule's other versions stop)."""
    return rule_version_json(activate_rule_version(session=session(), clock=services().clock, rule_id=rule_id,
                                                   version=version, actor=principal()))


@blueprint.post("/rules/<rule_id>/versions/<int:version>/retire")
@api(Role.ADMINISTRATOR)
def retire(rule_id: str, version: int):
    """Retire this version for good: the engine stops evaluating it."""
    return rule_version_json(retire_rule_version(session=session(), clock=services().clock, rule_id=rule_id,
                                                 version=version, actor=principal()))


@blueprint.get("/rule-outcomes")
@api(*READERS)
@takes_query(identifier("incident_id", "Only outcomes that acted on this incident"),
             text("rule_id", "Only outcomes of this rule", max_length=64),
             text("sensor_id", "A sensor's own episodes and the clusters it was in (at most 100)", max_length=200),
             *page())
def list_outcomes():
    """What the rules decided, newest first, with the readings: `?incident_id=`, `?rule_id=`,
    `?sensor_id=` (a sensor's own episodes and the clusters it was in; at most 100)."""
    sensor_id = arg("sensor_id")
    if sensor_id is not None:
        rows = outcomes_for_sensor(session(), sensor_id, limit=100)
        return {"items": [outcome_json(row) for row in rows], "total": len(rows), "limit": 100, "offset": 0}
    return page_of(outcomes_query(incident_id=arg("incident_id"), rule_id=arg("rule_id")), outcome_json)
