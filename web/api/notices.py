"""Public notices: operators draft them; a duty officer approves, which publishes them as CAP 1.2."""

from __future__ import annotations

import uuid

from flask import Blueprint

from coordination import Role
from coordination.cap.notices import NoticeDraft, approve_notice, draft_notice
from coordination.representations import iso
from coordination.queries.notices import public_warnings_query
from web.api.listing import page_of
from web.api.query import page, takes_query
from web.api.tasks import AcknowledgeBody
from web.app.context import (
    api,
    json_body,
    optional_json_body,
    principal,
    services,
    session,
)

blueprint = Blueprint("notices", __name__)


def notice_json(notice) -> dict:
    return {"id": str(notice.id), "incident_id": str(notice.incident_id) if notice.incident_id else None,
            "status": notice.status, "content": notice.content, "drafted_by": notice.drafted_by,
            "drafted_at": iso(notice.drafted_at), "approved_by": notice.approved_by,
            "approved_at": iso(notice.approved_at), "cap_identifier": notice.cap_identifier}


@blueprint.post("/notices")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR)
def draft():
    """Draft a public notice; it is published only when a duty officer approves it."""
    notice = draft_notice(session=session(), clock=services().clock, draft=json_body(NoticeDraft),
                          actor=principal())
    return notice_json(notice), 201


@blueprint.get("/notices")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(*page())
def list_notices():
    """Public notices, newest first, drafts included."""
    return page_of(public_warnings_query(), notice_json)


@blueprint.post("/notices/<uuid:notice_id>/approve")
@api(Role.DUTY_OFFICER)
def approve(notice_id: uuid.UUID):
    """Approve a notice: it goes out at once as a CAP 1.2 alert in the public feed (idempotent)."""
    optional_json_body(AcknowledgeBody)
    settings = services().settings
    notice = approve_notice(session=session(), clock=services().clock, notice_id=notice_id, actor=principal(),
                            sender=settings.cap_sender, sender_name=settings.cap_sender_name)
    return notice_json(notice)
