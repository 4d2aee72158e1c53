"""A CAP 1.2 alert as the engine reads it: frozen values, no XML."""

from __future__ import annotations

from dataclasses import dataclass

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class Area:
    description: str
    polygons: tuple[tuple[tuple[float, float], ...], ...]
    """Each polygon as (latitude, longitude) pairs, in CAP's order, closed."""
    circles: tuple[Circle, ...]
    geocodes: tuple[tuple[str, str], ...] = ()
    """(valueName, value) pairs: a district, county or zone code the sender's system uses (UGC,
    SAME, EMMA_ID, NUTS...); placed through the centre's table of codes (`coordination.cap.geocodes`)."""


@dataclass(frozen=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    sender_name: str
    areas: tuple[Area, ...]
    event_codes: tuple[tuple[str, str], ...] = ()
    """`<eventCode>` (valueName, value) pairs: SAME `HUW`, AEMET `VI;vientos`..."""
    parameters: tuple[tuple[str, str], ...] = ()
    """`<parameter>` (valueName, value) pairs (MeteoAlarm's `awareness_type` is one)."""


@dataclass(frozen=True)
class Reference:
    """One entry of `<references>`: how CAP names an earlier alert."""

    sender: str
    identifier: str
    sent: str


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    scope: str
    references: tuple[Reference, ...]
    infos: tuple[Info, ...]

    @property
    def is_live(self) -> bool:
        """Only `Actual` alerts may start live SOPs; Exercise, Test, Draft and System never do."""
        return self.status == "Actual"
