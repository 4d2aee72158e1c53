"""SOPs: list the stored versions; administrators upload new ones (validated first)."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select

from coordination import Role, store_sop_version
from coordination.store.tables import SopVersion
from web.api.listing import page_of
from web.context import api, principal, services, session
from web.problems import BadRequestBody

blueprint = Blueprint("sops", __name__)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def _version_json(version: SopVersion) -> dict:
    return {"id": version.sop_id, "version": version.version, "title": version.title,
            "is_active": version.is_active, "uploaded_at": version.uploaded_at.isoformat()}


@blueprint.get("/sops")
@api()
def list_sops():
    """Every stored SOP version, active ones first."""
    query = select(SopVersion).order_by(SopVersion.is_active.desc(), SopVersion.sop_id, SopVersion.version.desc())
    return page_of(query, _version_json)


@blueprint.post("/sops")
@api(Role.ADMINISTRATOR)
def upload():
    """Upload an SOP version as YAML; it becomes the active version of its SOP for new incidents."""
    if request.mimetype not in YAML_TYPES:
        raise BadRequestBody("send the SOP as YAML with `Content-Type: application/yaml`", status=415)
    try:
        text = request.get_data(as_text=False).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestBody("the SOP must be UTF-8 text") from None
    version = store_sop_version(session=session(), clock=services().clock, text=text, source="upload",
                                actor=principal())
    return _version_json(version), 201
