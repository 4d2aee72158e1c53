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
