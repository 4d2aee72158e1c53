"""Units in simulated time: the production dispatch policy plans, units drive real travel times,
stay on scene, drive home; demands wait in the queue while no unit can serve them.

Every time a demand arrives or a unit comes free, the policy (`recommend_greedy` or
`recommend_optimal` from `coordination.planner`) re-plans all open demands at once, exactly as
the dispatch service does for the duty officer, and its plan is carried out at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import simpy

from coordination.planner import (
    ASSIGNABLE_STATUSES,
    Demand,
    Plan,
    Unit,
    UnitStatus,
    move_unit,
    recommend_greedy,
    recommend_optimal,
)
from simulation.city import City
from simulation.distributions import Delay
from simulation.draws import Draws
from simulation.plan_memo import PlanMemo
from simulation.records import DispatchRecord, UnitRecord, UnservedRecord


def plan_with(policy: str, *, demands: list[Demand], units: list[Unit], city: City) -> Plan:
    """Ask the named production policy for a plan."""
    if policy == "optimised":
        return recommend_optimal(demands=demands, units=units, travel=city.travel, explain=False)
    return recommend_greedy(demands=demands, units=units, travel=city.travel, explain=False)


@dataclass(slots=True)
class OpenDemand:
    """Units one incident (or one dispatch step of its SOP) still waits for."""

    key: str
    incident: int
    node: Hashable
    priority: int
    requested_s: float
    remaining: dict[str, int]
    on_scene: Delay
    speed_factor: float | None = None
    """Driving time over free-flow time on the way to this demand (None: the city's)."""
    drive_offset_s: float = 0.0
    """Seconds added to each drive to this demand (the same for every unit: no choice changes)."""
    on_assigned: Callable[[], None] = lambda: None
    on_arrived: Callable[[OpenDemand], None] = lambda demand: None
    outstanding: int = 0
    """Units assigned and not yet on scene."""
    served: list[int] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        for count in self.remaining.values():
            if count > 0:
                return True
        return False

    def needs(self) -> tuple[tuple[str, int], ...]:
        """What it still waits for, as the policy reads a demand's needs (sorted, none at zero)."""
        return tuple(sorted((kind, count) for kind, count in self.remaining.items() if count > 0))


def after(env: simpy.Environment, delay_s: float, callback: Callable[[], None]) -> None:
    """Call `callback` `delay_s` seconds from now, as SimPy's next event at that time.

    A bare timeout with a callback costs a fraction of a process (no generator, no
    initialisation event, one resumption fewer); an exception in `callback` stops the run.
    """
    simpy.events.Timeout(env, delay_s).callbacks.append(lambda _event: callback())


class Fleet:
    """Every unit of the drill and the queue of demands they serve."""

    def __init__(self, *, env: simpy.Environment, city: City, policy: str, draws: Draws,
                 replication: int, on_first_arrival: Callable[[int, float], None], turnout: Delay = Delay(fixed=0),
                 turnout_by_unit_type: dict[str, Delay] | None = None):
        self.env, self.city, self.policy, self.draws, self.turnout = env, city, policy, draws, turnout
        self.turnout_by_unit_type = turnout_by_unit_type or {}
        self.replication = replication
        self.units: dict[str, Unit] = {unit.id: unit for unit in city.units}
        self.station_of = {unit.id: unit.id.split("/")[0] for unit in city.units}
        self.demands: list[OpenDemand] = []
        self.dispatches: list[dict] = []
        self._busy_since: dict[str, float] = {}
        self.busy_s: dict[str, float] = {unit_id: 0.0 for unit_id in self.units}
        self._trip: dict[str, int] = {unit_id: 0 for unit_id in self.units}
        self._free = sum(1 for unit in city.units if unit.status in ASSIGNABLE_STATUSES)
        """Units available or returning: with none, a re-plan cannot assign anything."""
        self._on_first_arrival = on_first_arrival
        self.memo = PlanMemo(lambda demands, units: plan_with(policy, demands=demands, units=units, city=city))
        """The policy's plans, remembered by situation (`memo.asked` re-plans, `memo.computed` solved)."""

    def request(self, demand: OpenDemand) -> None:
        """Queue a demand and re-plan."""
        if demand.waiting:
            self.demands.append(demand)
            self.replan()

    def replan(self) -> None:
        """Plan every waiting demand with the free units; send the units the plan assigns."""
        if not self.demands or not self._free:
            return
        waiting = [d for d in self.demands if d.waiting]
        self.demands = waiting
        if not waiting:
            return
        situation = [(d.node, d.needs(), d.priority) for d in waiting]
        for position, unit_id, need in self.memo.assignments(situation, tuple(self.units.values())):
            demand = waiting[position]
            demand.remaining[need] -= 1
            self._send(unit_id, demand, need)
        self.demands = [d for d in self.demands if d.waiting]

    def _move(self, unit_id: str, to: UnitStatus, *, committed_priority: int | None = None,
              at: Hashable | None = None) -> None:
        before = self.units[unit_id]
        self.units[unit_id] = move_unit(unit=before, to=to, committed_priority=committed_priority, at=at)
        self._free += (to in ASSIGNABLE_STATUSES) - (before.status in ASSIGNABLE_STATUSES)

    def _send(self, unit_id: str, demand: OpenDemand, need: str) -> None:
        unit = self.units[unit_id]
        if unit.status is UnitStatus.AVAILABLE:
            self._busy_since[unit_id] = self.env.now
        self._move(unit_id, UnitStatus.DISPATCHED, committed_priority=demand.priority)
        self._trip[unit_id] += 1
        trip = self._trip[unit_id]
        record = {"incident": demand.incident, "unit": unit_id, "unit_type": unit.unit_type, "need": need,
                  "requested_s": demand.requested_s, "dispatched_s": self.env.now, "on_scene_s": None,
                  "cleared_s": None}
        self.dispatches.append(record)
        demand.outstanding += 1
        demand.on_assigned()
        turnout_s = self.turnout_by_unit_type.get(unit.unit_type, self.turnout).sample_s(self.draws)
        roll = lambda: self._roll(unit_id, demand, record, trip, unit.node)  # noqa: E731
        if turnout_s > 0:
            after(self.env, turnout_s, roll)
        else:
            roll()

    def _roll(self, unit_id: str, demand: OpenDemand, record: dict, trip: int, origin: Hashable) -> None:
        self._move(unit_id, UnitStatus.EN_ROUTE)
        drive_s = self.city.travel_s(origin, demand.node, demand.speed_factor)
        if drive_s > 0:
            drive_s += demand.drive_offset_s
        arrive = lambda: self._arrive(unit_id, demand, record, trip)  # noqa: E731
        if drive_s > 0:
            after(self.env, drive_s, arrive)
        else:
            arrive()  # already there (zero travel): on scene at once, without a wasted event

    def _arrive(self, unit_id: str, demand: OpenDemand, record: dict, trip: int) -> None:
        self._move(unit_id, UnitStatus.ON_SCENE, at=demand.node)
        record["on_scene_s"] = self.env.now
        if not demand.served:
            self._on_first_arrival(demand.incident, self.env.now)
        demand.served.append(1)
        demand.outstanding -= 1
        demand.on_arrived(demand)
        after(self.env, demand.on_scene.sample_s(self.draws), lambda: self._clear(unit_id, demand, record, trip))

    def _clear(self, unit_id: str, demand: OpenDemand, record: dict, trip: int) -> None:
        record["cleared_s"] = self.env.now
        home = self.city.home_of[unit_id]
        drive_home_s = self.city.travel_s(demand.node, home)
        # Free to take a new call from the scene while it drives home (RETURNING is assignable).
        self._move(unit_id, UnitStatus.RETURNING)
        if drive_home_s <= 0:
            self._home(unit_id, home)  # no drive home: available where it stands
            return
        self.replan()
        if self._trip[unit_id] != trip:
            return  # re-dispatched from the scene: that trip owns the unit now
        after(self.env, drive_home_s, lambda: self._home(unit_id, home) if self._trip[unit_id] == trip else None)

    def _home(self, unit_id: str, home: Hashable) -> None:
        self._move(unit_id, UnitStatus.AVAILABLE, at=home)
        self.busy_s[unit_id] += self.env.now - self._busy_since.pop(unit_id)
        self.replan()

    def dispatch_records(self) -> tuple[DispatchRecord, ...]:
        return tuple(DispatchRecord(replication=self.replication, **record) for record in self.dispatches)

    def unserved_records(self) -> tuple[UnservedRecord, ...]:
        return tuple(
            UnservedRecord(self.replication, d.incident, need, count, d.requested_s)
            for d in self.demands for need, count in sorted(d.remaining.items()) if count > 0
        )

    def unit_records(self, end_s: float) -> tuple[UnitRecord, ...]:
        busy = dict(self.busy_s)
        for unit_id, since in self._busy_since.items():
            busy[unit_id] += end_s - since
        return tuple(UnitRecord(self.replication, u.id, u.unit_type, self.station_of[u.id], round(busy[u.id], 6))
                     for u in sorted(self.units.values(), key=lambda u: u.id))

