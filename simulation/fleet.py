"""Units in simulated time: the production dispatch policy plans, units drive real travel times,
stay on scene, drive home; demands wait in the queue while no unit can serve them.

Every time a demand arrives or a unit comes free, the policy (`recommend_greedy` or
`recommend_optimal` from `coordination.dispatch`) re-plans all open demands at once, exactly as
the dispatch service does for the duty officer, and its plan is carried out at once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import simpy

from coordination.dispatch import (
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
from simulation.records import DispatchRecord, UnitRecord, UnservedRecord


def plan_with(policy: str, *, demands: list[Demand], units: list[Unit], city: City) -> Plan:
    """Ask the named production policy for a plan."""
    if policy == "optimised":
        return recommend_optimal(demands=demands, units=units, travel=city.travel, explain=False)
    return recommend_greedy(demands=demands, units=units, travel=city.travel)


@dataclass
class OpenDemand:
    """Units one incident (or one dispatch step of its SOP) still waits for."""

    key: str
    incident: int
    node: Hashable
    priority: int
    requested_s: float
    remaining: dict[str, int]
    on_scene: Delay
    on_assigned: Callable[[], None] = lambda: None
    on_arrived: Callable[[], None] = lambda: None
    outstanding: int = 0
    """Units assigned and not yet on scene."""
    served: list[int] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return any(count > 0 for count in self.remaining.values())


class Fleet:
    """Every unit of the drill and the queue of demands they serve."""

    def __init__(self, *, env: simpy.Environment, city: City, policy: str, rng: np.random.Generator,
                 replication: int, on_first_arrival: Callable[[int, float], None], turnout: Delay = Delay(fixed=0)):
        self.env, self.city, self.policy, self.rng, self.turnout = env, city, policy, rng, turnout
        self.replication = replication
        self.units: dict[str, Unit] = {unit.id: unit for unit in city.units}
        self.station_of = {unit.id: unit.id.split("/")[0] for unit in city.units}
        self.demands: list[OpenDemand] = []
        self.dispatches: list[dict] = []
        self._busy_since: dict[str, float] = {}
        self.busy_s: dict[str, float] = {unit_id: 0.0 for unit_id in self.units}
        self._trip: dict[str, int] = {unit_id: 0 for unit_id in self.units}
        self._on_first_arrival = on_first_arrival
        self.plans = 0
        """How many times the policy was asked for a plan."""

    def request(self, demand: OpenDemand) -> None:
        """Queue a demand and re-plan."""
        if demand.waiting:
            self.demands.append(demand)
            self.replan()

    def replan(self) -> None:
        """Plan every waiting demand with the free units; send the units the plan assigns."""
        waiting = [d for d in self.demands if d.waiting]
        self.demands = waiting
        if not waiting or not any(u.status in (UnitStatus.AVAILABLE, UnitStatus.RETURNING)
                                  for u in self.units.values()):
            return
        by_key = {d.key: d for d in waiting}
        demands = [Demand(incident_id=d.key, node=d.node, needs=tuple(d.remaining.items()), priority=d.priority)
                   for d in waiting]
        plan = plan_with(self.policy, demands=demands, units=list(self.units.values()), city=self.city)
        self.plans += 1
        for assignment in plan.assignments:
            demand = by_key[assignment.incident_id]
            demand.remaining[assignment.need] -= 1
            self._send(assignment.unit_id, demand, assignment.need)
        self.demands = [d for d in self.demands if d.waiting]

    def _send(self, unit_id: str, demand: OpenDemand, need: str) -> None:
        unit = self.units[unit_id]
        if unit.status is UnitStatus.AVAILABLE:
            self._busy_since[unit_id] = self.env.now
        self.units[unit_id] = move_unit(unit=unit, to=UnitStatus.DISPATCHED, committed_priority=demand.priority)
        self._trip[unit_id] += 1
        record = {"incident": demand.incident, "unit": unit_id, "unit_type": unit.unit_type, "need": need,
                  "requested_s": demand.requested_s, "dispatched_s": self.env.now, "on_scene_s": None,
                  "cleared_s": None}
        self.dispatches.append(record)
        demand.outstanding += 1
        demand.on_assigned()
        self.env.process(self._trip_process(unit_id, demand, record, self._trip[unit_id], unit.node))

    def _trip_process(self, unit_id: str, demand: OpenDemand, record: dict, trip: int, origin: Hashable):
        turnout_s = self.turnout.sample_s(self.rng)
        if turnout_s > 0:
            yield self.env.timeout(turnout_s)
        self.units[unit_id] = move_unit(unit=self.units[unit_id], to=UnitStatus.EN_ROUTE)
        yield self.env.timeout(self.city.travel_s(origin, demand.node))
        self.units[unit_id] = move_unit(unit=self.units[unit_id], to=UnitStatus.ON_SCENE)
        self.units[unit_id] = _at(self.units[unit_id], demand.node)
        record["on_scene_s"] = self.env.now
        if not demand.served:
            self._on_first_arrival(demand.incident, self.env.now)
        demand.served.append(1)
        demand.outstanding -= 1
        demand.on_arrived()
        yield self.env.timeout(demand.on_scene.sample_s(self.rng))
        record["cleared_s"] = self.env.now
        # Free to take a new call from the scene while it drives home (RETURNING is assignable).
        self.units[unit_id] = move_unit(unit=self.units[unit_id], to=UnitStatus.RETURNING)
        self.replan()
        if self._trip[unit_id] != trip:
            return  # re-dispatched from the scene: that trip owns the unit now
        home = self.city.home_of[unit_id]
        yield self.env.timeout(self.city.travel_s(demand.node, home))
        if self._trip[unit_id] != trip:
            return
        self.units[unit_id] = _at(move_unit(unit=self.units[unit_id], to=UnitStatus.AVAILABLE), home)
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


def _at(unit: Unit, node: Hashable) -> Unit:
    return Unit(id=unit.id, agency_id=unit.agency_id, unit_type=unit.unit_type, node=node, status=unit.status,
                capabilities=unit.capabilities, committed_priority=unit.committed_priority)
