"""The city's sensors, their readings (raw, then down-sampled), the latest value of each, and the
intake's dead letters (readings refused, with why)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.store.tables.base import Base, SequenceNumber
from coordination.store.tables.people import Agency


class Sensor(Base):
    """A registered sensor: what it measures, where, in which unit, whose it is, how often it reports."""

    __tablename__ = "sensors"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    """The sensor's own name, as its readings give it (a SenML name, an NGSI-LD entity id)."""
    kind: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    longitude: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    """The SenML unit its readings must carry ("" for a true/false sensor: a panic button)."""
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    interval_s: Mapped[int] = mapped_column(Integer)
    """How often it is expected to report (the stale-sensor rules count in these)."""
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    agency: Mapped[Agency] = relationship(lazy="joined")
    latest: Mapped[SensorLatest | None] = relationship(lazy="selectin", viewonly=True)


class SensorReading(Base):
    """One reading as taken in, or (`samples` > 1) the mean of several older ones, down-sampled.

    A measurement, not an event of the record: written in batches, outside the timeline's writer
    lock. The id makes a redelivered or repeated reading a no-op (inserted with ON CONFLICT DO
    NOTHING)."""

    __tablename__ = "sensor_readings"
    __table_args__ = (Index("ix_sensor_readings_sensor_observed", "sensor_id", "observed_at"),)

    reading_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    sensor_id: Mapped[str] = mapped_column(ForeignKey("sensors.id"))
    observed_at: Mapped[datetime] = mapped_column(index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    """The door it came in by: mqtt, ngsi-ld, http (or downsampled)."""
    received_at: Mapped[datetime]
    samples: Mapped[int] = mapped_column(Integer, default=1)
    value_min: Mapped[float] = mapped_column(Float)
    value_max: Mapped[float] = mapped_column(Float)


class SensorLatest(Base):
    """The newest reading of each sensor, kept at hand for the map, the console and the staleness check."""

    __tablename__ = "sensor_latest"

    sensor_id: Mapped[str] = mapped_column(ForeignKey("sensors.id"), primary_key=True)
    reading_id: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    observed_at: Mapped[datetime]
    received_at: Mapped[datetime]


class IntakeDeadLetter(Base):
    """A reading (or a whole message) the intake refused: why, what it was, where it came from."""

    __tablename__ = "intake_dead_letters"

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(32))
    """The door: mqtt, ngsi-ld or http."""
    origin: Mapped[str] = mapped_column(String(400), default="")
    """The MQTT topic, or the integration token's name."""
    problem: Mapped[str] = mapped_column(String(32), index=True)
    """One word for the kind of fault (malformed, unknown_sensor, unit, impossible_value, future,
    too_old, topic): what the metrics count by."""
    reason: Mapped[str] = mapped_column(Text)
    sensor_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    """The message as received (cut at `MAX_KEPT_PAYLOAD` characters)."""
