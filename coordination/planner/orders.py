"""The lifecycles around a plan: demands for units, recommendations, and the units sent.

Each has one table of legal moves, like `UNIT_MOVES`, so the service changes a status only
through `require_move` and an illegal change always says where from and where to.
"""

from __future__ import annotations

from enum import Enum


class DemandStatus(str, Enum):
    OPEN = "open"
    """Some of the units it asks for are not yet dispatched."""
    MET = "met"
    """Every unit it asks for has been dispatched."""
    CANCELLED = "cancelled"
    """The incident was closed or the request withdrawn before it was met."""


DEMAND_MOVES: dict[DemandStatus, frozenset[DemandStatus]] = {
    # A met demand reopens when one of its units is diverted to more urgent work.
    DemandStatus.OPEN: frozenset({DemandStatus.MET, DemandStatus.CANCELLED}),
    DemandStatus.MET: frozenset({DemandStatus.OPEN, DemandStatus.CANCELLED}),
    DemandStatus.CANCELLED: frozenset(),
}


class RecommendationStatus(str, Enum):
    PROPOSED = "proposed"
    """Waiting for the duty officer."""
    ACCEPTED = "accepted"
    """Accepted as recommended or as changed by the duty officer; its units are dispatched."""
    SUPERSEDED = "superseded"
    """A newer recommendation covers the same open demands with fresher unit positions."""


RECOMMENDATION_MOVES: dict[RecommendationStatus, frozenset[RecommendationStatus]] = {
    RecommendationStatus.PROPOSED: frozenset({RecommendationStatus.ACCEPTED, RecommendationStatus.SUPERSEDED}),
    RecommendationStatus.ACCEPTED: frozenset(),
    RecommendationStatus.SUPERSEDED: frozenset(),
}


class AssignmentStatus(str, Enum):
    ACTIVE = "active"
    """The unit is dispatched to the incident, on its way or there; it counts towards the demand."""
    DONE = "done"
    """The unit served the incident and left the scene; it still counts towards the demand."""
    DIVERTED = "diverted"
    """The unit was pre-empted for a more urgent incident; the demand needs another."""
    STOOD_DOWN = "stood_down"
    """The unit was stood down or broke down before it served; the demand needs another."""

    @property
    def counts(self) -> bool:
        """Whether the unit counts towards what its demand asked for."""
        return self in (AssignmentStatus.ACTIVE, AssignmentStatus.DONE)


ASSIGNMENT_MOVES: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.ACTIVE: frozenset({AssignmentStatus.DONE, AssignmentStatus.DIVERTED, AssignmentStatus.STOOD_DOWN}),
    AssignmentStatus.DONE: frozenset(),
    AssignmentStatus.DIVERTED: frozenset(),
    AssignmentStatus.STOOD_DOWN: frozenset(),
}
