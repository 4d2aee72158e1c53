"""The webhook outbox and every delivery attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.lifecycles import (
    DeliveryStatus,
)
from coordination.store.tables.base import Base, _enum

if TYPE_CHECKING:  # relationships name their targets; SQLAlchemy finds them in the registry
    from coordination.store.tables.people import Agency
    from coordination.store.tables.runs import Task


class WebhookMessage(Base):
    """The transactional outbox: written with the change it reports, sent after commit."""

    __tablename__ = "webhook_messages"
    __table_args__ = (Index("ix_webhook_messages_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The `webhook-id` header, the same on every retry, so receivers can drop duplicates."""
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    attempt_limit: Mapped[int | None] = mapped_column(Integer)
    """Attempts allowed in all (None: `MAX_DELIVERY_ATTEMPTS`); a replay raises it by another round."""

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)
    task: Mapped[Task | None] = relationship()
    """Named so that a message written with its new task is inserted after it, in one flush."""


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_messages.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime]
    latency_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(32))
