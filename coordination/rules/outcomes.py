"""What the rule engine decides: an episode raised, its severity raised, or it cleared.

Outcomes are data (tagged msgspec Structs, so the shell can keep them in its outbox as JSON and
read them back); the shell turns each into the use case the rule's action names. Every outcome
names its *episode*: the rule version, the scope (a sensor, or the whole kind for a
correlation) and a count, so acting on an outcome twice can be recognised and refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Union

import msgspec

from coordination.rules.definition import RuleRef
from coordination.rules.observations import Evidence
from sop_engine import Severity


class Raised(msgspec.Struct, frozen=True, tag="raised"):
    """A rule's condition started to hold: act on it (declare, alert, maintenance task)."""

    rule_id: str
    rule_version: int
    episode: str
    at: datetime
    severity: Severity
    longitude: float
    latitude: float
    """The sensor's place, or the centre of the cluster."""
    sensor_ids: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    reason: str
    agency: str = ""
    """The owning agency of the (first) sensor: whom a maintenance task goes to."""

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.rule_id, self.rule_version)


class SeverityRaised(msgspec.Struct, frozen=True, tag="severity_raised"):
    """An episode's reading reached a higher band: revise what it raised."""

    rule_id: str
    rule_version: int
    episode: str
    at: datetime
    severity: Severity
    evidence: tuple[Evidence, ...]
    reason: str

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.rule_id, self.rule_version)


class Cleared(msgspec.Struct, frozen=True, tag="cleared"):
    """The condition no longer holds; a later one starts a new episode. Nothing is stood down:
    ending an incident stays a person's call."""

    rule_id: str
    rule_version: int
    episode: str
    at: datetime
    reason: str

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.rule_id, self.rule_version)


Outcome = Union[Raised, SeverityRaised, Cleared]


def episode_key(ref: RuleRef, scope: str, number: int) -> str:
    """The name of a rule's `number`th episode in `scope`: unique, and the same on every replay."""
    return f"{ref}/{scope}/{number}"
