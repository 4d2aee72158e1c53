"""What a rule remembers between readings, one value per rule and scope (a sensor, or the
whole kind for a correlation). Plain frozen msgspec Structs, tagged, so the shell stores them
as JSON in the database (shared by every consumer) and reads them back unchanged.

Each keeps the time of the last reading it took from each sensor: a reading no newer changes
nothing, so a redelivered or replayed reading can never fire twice, and rebuilding a state by
replaying the stored readings is safe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Union

import msgspec

from coordination.rules.observations import Evidence
from sop_engine import Severity

MAX_EVIDENCE = 20
"""Readings kept as an episode's evidence (the newest): enough to show the rise on the incident
page, bounded so a long episode does not grow its state without end."""


class ThresholdState(msgspec.Struct, frozen=True, tag="threshold"):
    last_at: datetime | None = None
    since: datetime | None = None
    """When the value reached the level (pending or raised); None while clear."""
    raised: bool = False
    severity: Severity | None = None
    episodes: int = 0
    evidence: tuple[Evidence, ...] = ()


class RateState(msgspec.Struct, frozen=True, tag="rate"):
    last_at: datetime | None = None
    window: tuple[Evidence, ...] = ()
    """The readings of the last `window_s`, oldest first."""
    raised: bool = False
    episodes: int = 0


class Member(msgspec.Struct, frozen=True):
    """A sensor over its mark: its newest reading over it."""

    sensor_id: str
    reading: Evidence


class Quiet(msgspec.Struct, frozen=True):
    """A sensor that left the members (a reading back under its mark) at `at`: older readings
    from it change nothing."""

    sensor_id: str
    at: datetime


class Cluster(msgspec.Struct, frozen=True):
    episode: str
    sensor_ids: tuple[str, ...]
    severity: Severity


class CorrelationState(msgspec.Struct, frozen=True, tag="correlation"):
    members: tuple[Member, ...] = ()
    quiet: tuple[Quiet, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    episodes: int = 0


class StaleSensor(msgspec.Struct, frozen=True):
    sensor_id: str
    episode: str


class StaleState(msgspec.Struct, frozen=True, tag="stale"):
    stale: tuple[StaleSensor, ...] = ()
    episodes: int = 0


RuleState = Union[ThresholdState, RateState, CorrelationState, StaleState]

_DECODER = msgspec.json.Decoder(RuleState)
_ENCODER = msgspec.json.Encoder()


def state_to_json(state: RuleState) -> bytes:
    return _ENCODER.encode(state)


def state_from_json(data: bytes | str) -> RuleState:
    return _DECODER.decode(data)
