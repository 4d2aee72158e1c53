"""CAP alerts received and public warnings published."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordination.store.tables.base import Base


class CapAlertRecord(Base):
    """A CAP 1.2 alert received; (sender, identifier, sent) is how CAP `references` name it."""

    __tablename__ = "cap_alerts"
    __table_args__ = (UniqueConstraint("sender", "identifier", "sent", name="uq_cap_alerts_reference"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    sender: Mapped[str] = mapped_column(String(500))
    identifier: Mapped[str] = mapped_column(String(500))
    sent: Mapped[str] = mapped_column(String(40))
    """As written in the alert (CAP references repeat it verbatim)."""
    status: Mapped[str] = mapped_column(String(16))
    msg_type: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(32))
    """What the engine did: declared, linked, updated, cancelled, exercise, outside, recorded."""
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    received_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    xml: Mapped[str] = mapped_column(Text)
    """As received, signature included, so it can be verified again."""
    signature: Mapped[str] = mapped_column(String(16), default="unchecked", server_default="unchecked")
    """What vouches for its sender (coordination.cap.SignatureOutcome): verified, unsigned or unchecked."""
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    """What the engine did, and why, in words ("its areas lie wholly outside the centre's territory")."""


class CapFeed(Base):
    """A feed of CAP alerts the centre follows (`iccc cap follow`): what its index last answered, for
    conditional requests."""

    __tablename__ = "cap_feeds"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime | None]


class CapFeedEntry(Base):
    """An entry of a followed feed whose alert was received (or refused): never fetched again, across
    restarts and followers."""

    __tablename__ = "cap_feed_entries"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """sha256 of the feed, the entry's id and its updated time (`coordination.cap.feed_index`)."""
    feed_url: Mapped[str] = mapped_column(String(2000), index=True)
    entry_id: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime]


class PublicWarning(Base):
    """A public warning drafted by an operator outside any SOP, published as a CAP 1.2 alert once a
    duty officer approves it. The CAP text is made at approval and never changes afterwards."""

    __tablename__ = "public_warnings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    drafted_by: Mapped[str] = mapped_column(String(200))
    drafted_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(index=True)
    cap_identifier: Mapped[str | None] = mapped_column(String(200), unique=True)
    cap_xml: Mapped[str | None] = mapped_column(Text)
