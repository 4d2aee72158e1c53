"""Webhook dead letters: the duty officer sees the messages that used every attempt and replays them."""

from __future__ import annotations

from flask import Blueprint

from coordination import Role
from coordination.representations import iso
from coordination.webhooks import dead_letters_query, replay_dead_letter
from web.api.listing import page_of
from web.api.query import page, takes_query
from web.api.tasks import AcknowledgeBody
from web.app.context import api, optional_json_body, principal, services, session

blueprint = Blueprint("webhooks", __name__)


def dead_letter_json(message) -> dict:
    return {"webhook_id": message.id, "agency": message.agency.code, "event_type": message.event_type,
            "task_id": str(message.task_id) if message.task_id else None, "status": message.status.value,
            "attempts": message.attempts, "last_error": message.last_error, "created_at": iso(message.created_at),
            "endpoint_disabled": message.agency.webhook_disabled_at is not None}


@blueprint.get("/webhooks/dead-letters")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
@takes_query(*page())
def dead_letters():
    """Messages that failed every attempt, oldest first."""
    return page_of(dead_letters_query(), dead_letter_json)


@blueprint.post("/webhooks/<message_id>/replay")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR)
def replay(message_id: str):
    """Send a dead message again: a fresh round of attempts, the same webhook-id."""
    optional_json_body(AcknowledgeBody)
    message = replay_dead_letter(session=session(), clock=services().clock, message_id=message_id,
                                 actor=principal())
    return {**dead_letter_json(message), "next_attempt_at": iso(message.next_attempt_at)}
