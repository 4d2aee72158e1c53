"""Demands: what an open incident still needs, and how urgent it is."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from coordination.errors import InvalidInput
from sop_engine import Severity

PRIORITY_BY_SEVERITY: dict[Severity, int] = {
    Severity.MINOR: 1,
    Severity.MODERATE: 2,
    Severity.SEVERE: 4,
    Severity.EXTREME: 8,
}
"""Weight of one second of response time, per severity: each step doubles what delay costs."""


def priority_for(*, severity: Severity) -> int:
    """Return the integer priority weight of an incident of this severity."""
    return PRIORITY_BY_SEVERITY[severity]


@dataclass(frozen=True)
class Demand:
    """An open incident's outstanding needs at one road node.

    `needs` maps a unit type or capability to how many units it needs; it is stored as a sorted
    tuple of pairs so the demand stays hashable. `priority` weights its response time in the
    objective (see `PRIORITY_BY_SEVERITY`).
    """

    incident_id: str
    node: Hashable
    needs: tuple[tuple[str, int], ...]
    priority: int

    def __post_init__(self) -> None:
        raw = self.needs.items() if isinstance(self.needs, Mapping) else self.needs
        needs = tuple(sorted((str(kind), int(count)) for kind, count in raw if int(count) != 0))
        for kind, count in needs:
            if count < 0:
                raise InvalidInput(f"incident {self.incident_id}: need {kind} has negative count {count}",
                                   field="needs")
        if len({kind for kind, _ in needs}) != len(needs):
            raise InvalidInput(f"incident {self.incident_id}: a need is listed twice", field="needs")
        if self.priority < 1:
            raise InvalidInput(f"incident {self.incident_id}: priority must be at least 1", field="priority")
        object.__setattr__(self, "needs", needs)

    @property
    def slot_count(self) -> int:
        """How many units it needs in all."""
        return sum(count for _, count in self.needs)


def make_demand(*, incident_id: str, node: Hashable, needs: Mapping[str, int], severity: Severity) -> Demand:
    """Build a demand whose priority follows from the incident's severity."""
    return Demand(incident_id=incident_id, node=node, needs=tuple(needs.items()),
                  priority=priority_for(severity=severity))
