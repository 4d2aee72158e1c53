"""What the doors hand to validation, and what validation hands on: plain frozen values."""

from __future__ import annotations

from datetime import datetime

import msgspec

from coordination.errors import InvalidInput


class ResolvedRecord(msgspec.Struct, frozen=True):
    """One SenML record with its base fields applied (RFC 8428 §4.6), or one NGSI-LD property,
    before anything is checked against the registry."""

    index: int
    """Its place in the message, from 0 (named in a dead letter)."""
    name: str
    unit: str | None
    value: float | None
    """The number (a true/false value is 1 or 0); None when the record has none we take."""
    observed_at: datetime
    original: str
    """The record as received, as JSON, kept with a refusal."""
    value_problem: str = ""
    """Why the record has no value we take (a string, a data value), when it has none."""


class Reading(msgspec.Struct, frozen=True):
    """A validated reading of a registered sensor, ready to store and to hand to the rules."""

    reading_id: str
    sensor_id: str
    value: float
    unit: str
    observed_at: datetime


class Refusal(msgspec.Struct, frozen=True):
    """A message or one of its records refused, with the kind of fault and why."""

    problem: str
    """One of `PROBLEMS`."""
    reason: str
    payload: str
    sensor_id: str | None = None


PROBLEMS = ("malformed", "unknown_sensor", "topic", "unit", "impossible_value", "future", "too_old", "unknown_unit",
            "refused", "unknown_command", "failed")
"""Readings: malformed to too_old. Unit positions and statuses: malformed, topic, future, unknown_unit
(no such unit of that agency), refused (a status move the unit's state does not allow). Devices'
answers to commands: malformed, topic (not the device's confirmation topic), unknown_command. Any:
failed (taking the message raised an error the engine did not expect; kept so that one poison
message cannot stop the stream)."""


def reading_id_for(sensor_id: str, observed_at: datetime) -> str:
    """A reading's id when the message gives none: its sensor and its time, so the same reading
    sent again (a redelivery, a gateway's retry) is the same row."""
    return f"{sensor_id}@{observed_at.isoformat(timespec='microseconds')}"


class ReadingsRefused(InvalidInput):
    """No reading of a message was taken; `refusals` says why for each (all kept as dead letters)."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(f"no reading taken: {refusals[0].reason}" + (f" (and {len(refusals) - 1} more)"
                                                                        if len(refusals) > 1 else ""), field="body")
        self.refusals = refusals
