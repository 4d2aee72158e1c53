"""Dead letters: messages that used every attempt. The duty officer sees them and replays them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, NotFound
from coordination.lifecycles import DeliveryStatus
from coordination.principals import Principal
from coordination.store.tables import WebhookMessage
from coordination.webhooks.backoff import MAX_DELIVERY_ATTEMPTS


def dead_letters_query():
    """Dead messages, oldest first."""
    return select(WebhookMessage).where(WebhookMessage.status == DeliveryStatus.DEAD).order_by(
        WebhookMessage.created_at, WebhookMessage.id
    )


def replay_dead_letter(*, session: Session, clock: Clock, message_id: str, actor: Principal) -> WebhookMessage:
    """Queue a dead message again, with a fresh round of attempts and the same `webhook-id`.

    Raises:
        NotFound: no such message.
        Conflict: the message is not dead, or its agency's endpoint is disabled.
    """
    message = session.get(WebhookMessage, message_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if message is None:
        raise NotFound(f"webhook message {message_id} does not exist")
    if message.status is not DeliveryStatus.DEAD:
        raise Conflict(f"webhook message {message_id} is {message.status.value}, not dead: nothing to replay")
    if message.agency.webhook_disabled_at is not None:
        raise Conflict(f"{message.agency.code}'s endpoint is disabled (410 Gone): re-enable it first")
    now = clock.now()
    message.status = DeliveryStatus.PENDING
    message.next_attempt_at = now
    message.attempt_limit = message.attempts + MAX_DELIVERY_ATTEMPTS
    audit.record(session, at=now, kind="webhook.replayed", actor=actor.label,
                 summary=f"{message.event_type} to {message.agency.code} replayed by {actor.label}",
                 data={"webhook_id": message.id, "agency": message.agency.code})
    return message


def replay_all_dead_letters(*, session: Session, clock: Clock, actor: Principal) -> list[str]:
    """Replay every dead message whose endpoint is enabled; return their ids."""
    replayed = []
    for message in session.scalars(dead_letters_query()).unique().all():
        if message.agency.webhook_disabled_at is None:
            replay_dead_letter(session=session, clock=clock, message_id=message.id, actor=actor)
            replayed.append(message.id)
    return replayed
