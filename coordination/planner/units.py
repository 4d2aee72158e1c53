"""Response units of every agency and the one table of their status moves.

A unit is a frozen value: a status change returns a new unit, so the optimiser can be handed a
snapshot that nothing else mutates underneath it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from coordination.errors import InvalidInput, InvalidTransition


class UnitStatus(str, Enum):
    AVAILABLE = "available"
    """At station or patrolling, free to be recommended."""
    DISPATCHED = "dispatched"
    """Told to go; not yet moving."""
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    """Released from the scene, driving back; may be re-dispatched on the way."""
    OUT_OF_SERVICE = "out_of_service"


# A dispatched unit may be stood down (back to available) or diverted before it arrives; a
# returning unit may take a new call on the way home. Out of service is reachable from any
# state (breakdown, crew injury) and only leaves to available.
UNIT_MOVES: dict[UnitStatus, frozenset[UnitStatus]] = {
    UnitStatus.AVAILABLE: frozenset({UnitStatus.DISPATCHED, UnitStatus.OUT_OF_SERVICE}),
    UnitStatus.DISPATCHED: frozenset(
        {UnitStatus.EN_ROUTE, UnitStatus.DISPATCHED, UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}
    ),
    UnitStatus.EN_ROUTE: frozenset(
        {UnitStatus.ON_SCENE, UnitStatus.DISPATCHED, UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}
    ),
    UnitStatus.ON_SCENE: frozenset({UnitStatus.RETURNING, UnitStatus.OUT_OF_SERVICE}),
    UnitStatus.RETURNING: frozenset({UnitStatus.AVAILABLE, UnitStatus.DISPATCHED, UnitStatus.OUT_OF_SERVICE}),
    UnitStatus.OUT_OF_SERVICE: frozenset({UnitStatus.AVAILABLE}),
}

ASSIGNABLE_STATUSES = frozenset({UnitStatus.AVAILABLE, UnitStatus.RETURNING})
"""Statuses in which a unit is free to take a new demand without pre-empting anyone."""

PREEMPTIBLE_STATUSES = frozenset({UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE})
"""Statuses in which a unit is committed but may be diverted to more urgent work."""


@dataclass(frozen=True)
class Unit:
    """A response unit: what it is, where it is and what it is doing.

    `unit_type` is the vehicle kind (``"ambulance"``, ``"fire_engine"``, ``"rescue_boat"``...);
    `capabilities` are further needs it can meet (``"als"``, ``"hazmat"``). `node` is its
    position on the road network (snapped from its last AVL fix). `committed_priority` is the
    priority of the demand a dispatched or en-route unit is heading to, so that pre-emption can
    compare it; 0 otherwise.
    """

    id: str
    agency_id: str
    unit_type: str
    node: Hashable
    status: UnitStatus = UnitStatus.AVAILABLE
    capabilities: frozenset[str] = field(default_factory=frozenset)
    committed_priority: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "capabilities", frozenset(self.capabilities))

    def can_meet(self, need: str) -> bool:
        """Whether this unit counts towards a demand's need named `need` (a type or a capability)."""
        return need == self.unit_type or need in self.capabilities


def move_unit(*, unit: Unit, to: UnitStatus, committed_priority: int | None = None, at: Hashable | None = None) -> Unit:
    """Return `unit` in status `to`, if the transition table allows the move.

    Args:
        unit: the unit as it is now.
        to: the requested status.
        committed_priority: the priority of the demand it now serves (kept when not given;
            cleared when the unit is no longer committed).
        at: the road node it is now at (kept when not given), e.g. the scene on arrival.

    Raises:
        InvalidTransition: the move is not in `UNIT_MOVES`; the message names both states.
    """
    if to not in UNIT_MOVES[unit.status]:
        raise InvalidTransition(f"unit {unit.id}", unit.status.value, to.value)
    priority = unit.committed_priority if committed_priority is None else committed_priority
    if to not in PREEMPTIBLE_STATUSES and to is not UnitStatus.ON_SCENE:
        priority = 0
    # A copy of the fields with three replaced, without `dataclasses.replace`: that re-runs
    # __init__ and __post_init__ on fields already valid and cost ten times more, where a drill
    # moves units several times per simulated call.
    moved = object.__new__(Unit)
    moved.__dict__.update(unit.__dict__)
    moved.__dict__.update(status=to, committed_priority=priority, node=unit.node if at is None else at)
    return moved


def units_by_id(units: Iterable[Unit]) -> dict[str, Unit]:
    """Index units by id, refusing duplicates (two AVL records for one unit is a data error)."""
    indexed: dict[str, Unit] = {}
    for unit in units:
        if unit.id in indexed:
            raise InvalidInput(f"unit {unit.id} appears twice", field="units")
        indexed[unit.id] = unit
    return indexed
