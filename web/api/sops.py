"""SOPs: the stored versions, the format's JSON Schema, uploads (validated first), and the
version lifecycle: activate one for new incidents, retire one for good."""

from __future__ import annotations

from flask import Blueprint, request

from coordination import (
    Role,
    activate_sop_version,
    retire_sop_version,
    store_sop_version,
)
from coordination.sop_catalogue import definition_of
from coordination.queries.sops import sop_versions_query, stored_sop_version
from sop_engine import critical_path, sop_json_schema
from sop_engine.diagrams import step_summary
from web.api.listing import page_of
from web.api.query import arg, boolean, page, takes_query
from web.app.context import api, principal, services, session
from web.app.problems import BadRequestBody

blueprint = Blueprint("sops", __name__)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def _status(version) -> str:
    if version.retired_at is not None:
        return "retired"
    return "active" if version.is_active else "inactive"


def _version_json(version) -> dict:
    return {"id": version.sop_id, "version": version.version, "title": version.title,
            "status": _status(version), "is_active": version.is_active,
            "uploaded_at": version.uploaded_at.isoformat(), "uploaded_by": version.uploaded_by or None,
            "activated_at": version.activated_at.isoformat() if version.activated_at else None,
            "retired_at": version.retired_at.isoformat() if version.retired_at else None}


def _version_detail(version) -> dict:
    definition = definition_of(version)
    path = critical_path(definition)
    return {
        **_version_json(version),
        "trigger": {"incident_types": sorted(definition.trigger.incident_types),
                    "min_severity": definition.trigger.min_severity.value},
        "target_s": definition.target_s,
        "critical_path": {"steps": list(path.step_ids), "duration_s": path.duration_s},
        "steps": [
            {"id": step.step_id, "kind": step.kind, "summary": step_summary(step),
             "after": [str(before) for before in step.after], "join": step.join.value, "when": step.when_text,
             "ack_within_s": step.ack_within_s, "complete_within_s": step.complete_within_s,
             "escalation": [{"to": rung.target.value, "within_s": rung.within_s}
                            for rung in definition.ladder_for(step.step_id)]}
            for step in definition.steps
        ],
        "source": version.source_text,
    }


@blueprint.get("/sops")
@api()
@takes_query(*page())
def list_sops():
    """Every stored SOP version, active ones first."""
    return page_of(sop_versions_query(), _version_json)


@blueprint.get("/sops/schema")
@api()
def schema():
    """The JSON Schema of the SOP file format (its shape; uploads are also checked for meaning)."""
    return sop_json_schema()


@blueprint.get("/sops/<sop_id>/versions/<int:version>")
@api()
def read_version(sop_id: str, version: int):
    """One SOP version: its steps, ladders, critical path and source."""
    return _version_detail(stored_sop_version(session(), sop_id, version))


@blueprint.post("/sops")
@api(Role.ADMINISTRATOR)
@takes_query(boolean("activate", "Make it the active version (false: store it only)", default=True))
def upload():
    """Upload an SOP version as YAML; it becomes the active version of its SOP for new incidents
    unless `?activate=false`. Running incidents keep the version they started with."""
    if request.mimetype not in YAML_TYPES:
        raise BadRequestBody("send the SOP as YAML with `Content-Type: application/yaml`", status=415)
    activate = arg("activate")
    try:
        text = request.get_data(as_text=False).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestBody("the SOP must be UTF-8 text") from None
    version = store_sop_version(session=session(), clock=services().clock, text=text, source="upload",
                                actor=principal(), activate=activate)
    return _version_json(version), 201


@blueprint.post("/sops/<sop_id>/versions/<int:version>/activate")
@api(Role.ADMINISTRATOR)
def activate(sop_id: str, version: int):
    """Make this version the one new incidents start (others of the SOP stop starting)."""
    return _version_json(activate_sop_version(session=session(), clock=services().clock, sop_id=sop_id,
                                              version=version, actor=principal()))


@blueprint.post("/sops/<sop_id>/versions/<int:version>/retire")
@api(Role.ADMINISTRATOR)
def retire(sop_id: str, version: int):
    """Retire this version for good; incidents already following it carry on."""
    return _version_json(retire_sop_version(session=session(), clock=services().clock, sop_id=sop_id,
                                            version=version, actor=principal()))
