"""What the operations endpoints read: whether the store can serve, and the outbox's depth."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from coordination.lifecycles import DeliveryStatus
from coordination.store import Store, is_current
from coordination.store.tables import WebhookMessage


def unready_reason(store: Store) -> str | None:
    """Why the store cannot serve (the database does not answer, or its schema is not at the
    newest migration), or None when it can."""
    try:
        store.ping()
        current = is_current(store)
    except SQLAlchemyError as error:
        return f"database unreachable: {type(error).__name__}"
    if not current:
        return "database schema is not current: run `iccc db upgrade`"
    return None


def outbox_depths(store: Store) -> dict[DeliveryStatus, int] | None:
    """Webhook messages not delivered, by status; None when the database does not answer."""
    try:
        with store.transaction() as session:
            return dict(session.execute(
                select(WebhookMessage.status, func.count())
                .where(WebhookMessage.status != DeliveryStatus.DELIVERED)
                .group_by(WebhookMessage.status)
            ).all())
    except SQLAlchemyError:
        return None
