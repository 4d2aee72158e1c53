"""Trigger rules: their versions, each rule's state per scope, and the outcomes they decided."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coordination.store.tables.base import Base, SequenceNumber


class RuleVersion(Base):
    """A stored rule version, activated and retired like an SOP version."""

    __tablename__ = "rule_versions"

    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    sensor_kind: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    """The version the engine evaluates; at most one per rule."""
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    activated_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]


class RuleStateRow(Base):
    """What one rule version remembers for one scope (a sensor, or `*` for the whole kind).

    Shared by every intake consumer: a consumer locks the rows it evaluates (`FOR UPDATE`, in
    the order of their keys), so each reading is evaluated once against the state every earlier
    one left. Written outside the timeline's writer lock: it is a measurement's consequence, not
    an event of the record (the outcomes it decides are recorded when acted on).
    """

    __tablename__ = "rule_states"

    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    """The engine's state as msgspec JSON (`coordination.rules.state_to_json`)."""
    updated_at: Mapped[datetime]


class RuleOutcome(Base):
    """An outcome a rule decided, kept until it is acted on (an outbox between the rule engine
    and the use cases), then as the record of what it did: the readings it was raised on are the
    evidence an incident page shows."""

    __tablename__ = "rule_outcomes"
    __table_args__ = (Index("ix_rule_outcomes_pending", "acted_at", "seq"),)

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    outcome_key: Mapped[str] = mapped_column(String(400), unique=True)
    """The episode and what happened to it (`#raised`, `#severity:extreme`, `#cleared`): a
    replayed reading deciding the same again inserts nothing."""
    episode: Mapped[str] = mapped_column(String(300), index=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    """raised, severity_raised or cleared."""
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The outcome itself, as the engine made it (severity, place, sensors, evidence, reason)."""
    observed_at: Mapped[datetime]
    decided_at: Mapped[datetime]
    acted_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(32))
    """What acting on it did: declared, linked, revised, alerted, maintenance, recorded, unchanged."""
    note: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
