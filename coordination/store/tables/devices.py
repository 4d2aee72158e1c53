"""The city's devices an SOP step or a duty officer commands (message signs, sirens, pumps,
barriers) and the commands sent to them, each waiting for the device's confirmation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.lifecycles import DeviceCommandStatus
from coordination.store.tables.base import Base, _enum
from coordination.store.tables.people import Agency


class Device(Base):
    """A registered device: what it is, where, the topics it is commanded and answers on, whose it is."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    """The device's own name, as it names itself in its topics."""
    kind: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    command_topic: Mapped[str] = mapped_column(String(400))
    confirmation_topic: Mapped[str] = mapped_column(String(400))
    """The topic its answers come on: an answer on another topic is refused (a broker ACL lets
    each device publish only on its own, so the topic is who answers)."""
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined")


class DeviceCommand(Base):
    """One command to one device: written queued in the transaction that issued it (the outbox),
    published by the worker, answered by the device before `due_at` or reported overdue."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_status_due_at", "status", "due_at"),)

    command_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """A UUID as text: the id the device receives and answers with."""
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sop_runs.id"), index=True)
    """The SOP run whose step issued it, told of the answer; None for a duty officer's own command."""
    step_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeviceCommandStatus] = mapped_column(_enum(DeviceCommandStatus), default=DeviceCommandStatus.QUEUED)
    issued_by: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
    due_at: Mapped[datetime]
    """When the device's confirmation is due."""
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    """The device's reason for a failure (or its note with a confirmation), or why it is overdue."""
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    """A publisher's lease: another worker leaves it alone until then (a publisher that dies
    mid-publish leaves it to be published again; the device drops the repeat by its id)."""

    device: Mapped[Device] = relationship(lazy="joined", innerjoin=True)
