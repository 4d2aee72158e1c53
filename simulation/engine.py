"""One replication of a drill: SimPy drives a coordination world in simulated time.

The world is the SOP host over memory with the production routing (`RuntimeWorld`, the default) or
the production services over in-memory SQLite (`ServicesWorld`): `declare_incident` starts
the real SOPs, simulated agencies answer through `answer_task`, the simulated duty officer
through `answer_request`, the scenario's devices through `answer_command`, deadlines fire through
`fire_due_timers`; the scenario's gauges report through the trigger rules (`SensorFeed`), whose
declarations reach the world through `report`. After every call the drill gets the world's
`Changes` (new tasks, requests, device commands, timers, spawned incidents) and starts the
SimPy event that answers each (a timeout with a callback: a process per answer cost more than
the answer). Everything the drill samples comes from one seeded
generator, drawn in an order that depends only on simulated time and incident numbers (never
on database UUIDs), so a seed gives the same records.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import simpy

from coordination import MAX_DELIVERY_ATTEMPTS
from coordination.planner import priority_for
from coordination.lifecycles import NOTICE_APPROVE
from coordination.rules import RuleRef
from simulation.arrivals import Arrival, draw_arrivals
from simulation.city import City, build_city
from simulation.distributions import Delay
from simulation.draws import Draws
from simulation.fleet import Fleet, OpenDemand, after
from simulation.harvest import harvest
from simulation.records import DrillRecords
from simulation.runtime_world import RuntimeWorld
from simulation.scenario import Scenario
from simulation.scenario_readings import trigger_rules
from simulation.sensor_feed import SensorFeed
from simulation.services_world import ServicesWorld
from simulation.sim_clock import SimClock
from simulation.world_protocol import Changes, NewCommand, NewRequest, NewTask, World
from sop_engine import Severity

FIRST_RETRY_S = 15.0
"""The outbox's first backoff interval, doubling per failed attempt (see coordination.webhooks)."""

DEFAULT_ON_SCENE = Delay(exponential=1200)
"""Time on scene for incident types the scenario does not generate (SOP-spawned ones)."""

WORLDS = {"services": ServicesWorld, "runtime": RuntimeWorld}

YOUNG_OBJECTS_PER_COLLECTION = 100_000
"""A drill allocates millions of short-lived objects and keeps every record: with the default
threshold (700) the cyclic collector ran so often that it took a third of a long drill."""


@contextmanager
def fewer_collections():
    """Collect cyclic garbage less often while a replication runs; restore the thresholds after."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass(slots=True)
class IncidentTrack:
    """What the drill knows of one incident beyond the world."""

    number: int
    incident_type: str
    severity: Severity
    origin: str
    declared_s: float
    lon: float
    lat: float
    first_on_scene_s: float | None = None
    demands: list[str] = field(default_factory=list)


class Drill:
    """One replication: build the world, run SimPy to the horizon, harvest the records."""

    def __init__(self, *, scenario: Scenario, replication: int, rng: np.random.Generator,
                 city: City | None = None, policy: str | None = None, world: str | None = None,
                 arrivals: list[Arrival] | None = None):
        self.scenario, self.replication, self.rng = scenario, replication, rng
        self.env = simpy.Environment()
        self.clock = SimClock(self.env, scenario.start)
        self.city = city or build_city(scenario)
        self.world: World = WORLDS[world or scenario.engine](scenario, self.clock)
        self.draws = Draws(rng)
        self.fleet = Fleet(env=self.env, city=self.city, policy=policy or scenario.dispatch.policy, draws=self.draws,
                           replication=replication, on_first_arrival=self._first_arrival,
                           turnout=scenario.city.turnout, turnout_by_unit_type=scenario.city.turnout_by_unit_type)
        self.tracks: dict[Hashable, IncidentTrack] = {}
        self.fleet_types = frozenset(unit.unit_type for unit in self.city.units)
        self._by_number: dict[int, IncidentTrack] = {}
        self._wakes: set[float] = set()
        """Times of the scheduled timer wake-ups."""
        self.counters = {"world_calls": 0, "timers_fired": 0}
        self._given_arrivals = arrivals
        self._behaviour: dict = {}
        """Each role's behaviour, resolved once (defaults merged with the role's own)."""
        self._nodes: dict[tuple[float, float], Hashable] = {}
        """Road node of each incident place, snapped in one batch for the drawn arrivals."""
        self.feed: SensorFeed | None = None
        if scenario.readings is not None:
            # The readings' noise comes from a stream of its own, spawned from the replication's
            # generator: the same seed gives the same rain whatever the people in the drill did, so
            # two rule sets or SOP sets are compared on the same readings.
            self.feed = SensorFeed(env=self.env, clock=self.clock, readings=scenario.readings,
                                   rules=trigger_rules(scenario.readings, scenario.base_dir), replication=replication,
                                   draws=Draws(rng.spawn(1)[0]), report=self._report_from_rule)

    def run(self) -> DrillRecords:
        """Run to the scenario's duration and return the replication's records."""
        try:
            with fewer_collections():
                arrivals = (self._given_arrivals if self._given_arrivals is not None
                            else draw_arrivals(scenario=self.scenario, bounds=self.city.bounds, draws=self.draws))
                places = sorted({(a.lon, a.lat) for a in arrivals})
                if places:
                    self._nodes = dict(zip(places, self.city.travel_times.nearest_nodes(points=places)))
                self._next_arrival(iter(arrivals))
                if self.feed is not None:
                    self.feed.start()
                self.env.run(until=self.scenario.duration)
                self.counters["dispatch_plans"] = self.fleet.memo.asked
                self.counters["dispatch_plans_solved"] = self.fleet.memo.computed
                if self.feed is not None:
                    self.counters["readings"] = self.feed.readings_sent
                return harvest(world=self.world, clock=self.clock, tracks=self.tracks, fleet=self.fleet,
                               replication=self.replication, duration_s=self.scenario.duration,
                               counters=self.counters, rule_firings=tuple(self.feed.firings) if self.feed else ())
        finally:
            self.world.close()

    # --- incidents -------------------------------------------------------------------------

    def _next_arrival(self, arrivals: Iterator[Arrival]) -> None:
        """Declare the next arrival at its time; each one schedules the one after it."""
        arrival = next(arrivals, None)
        if arrival is None:
            return

        def declare() -> None:
            self._declare(arrival)
            self._next_arrival(arrivals)

        after(self.env, max(0.0, arrival.at_s - self.env.now), declare)

    def _declare(self, arrival: Arrival) -> None:
        key, changes = self.world.declare(
            incident_type=arrival.incident_type, severity=arrival.severity, lon=arrival.lon, lat=arrival.lat,
            description=f"Drill {self.scenario.name}: {arrival.origin} {arrival.incident_type}")
        self._track(key, arrival.incident_type, arrival.severity, arrival.lon, arrival.lat, arrival.origin,
                    arrival=arrival)
        self._react(changes)

    def _report_from_rule(self, incident_type: str, severity: Severity, lon: float, lat: float,
                          description: str, rule: RuleRef) -> tuple[int, bool]:
        """A trigger rule declares an incident as an arrival does, unless it duplicates an open one;
        return the incident's number and whether the report was linked to it."""
        key, linked, changes = self.world.report(incident_type=incident_type, severity=severity, lon=lon, lat=lat,
                                                 description=description, rule=rule)
        if not linked:
            self._track(key, incident_type, severity, lon, lat, "rule")
        self._react(changes)
        return self.tracks[key].number, linked

    def _track(self, key: Hashable, incident_type: str, severity: Severity, lon: float, lat: float,
               origin: str, arrival: Arrival | None = None) -> None:
        track = IncidentTrack(len(self.tracks) + 1, incident_type, severity, origin, self.env.now, lon, lat)
        self.tracks[key] = self._by_number[track.number] = track
        generator = self.scenario.generator_for(incident_type)
        response = dict(arrival.response) if arrival is not None and arrival.response is not None else (
            dict(generator.response) if generator is not None else {})
        if response:
            delay_s = arrival.dispatch_delay_s if arrival is not None else 0.0
            if delay_s > 0:
                after(self.env, delay_s,
                      lambda: self._request_units(track, key=f"{track.number}:initial", needs=response))
            else:
                self._request_units(track, key=f"{track.number}:initial", needs=response)
        if origin != "cascade":  # cascades do not cascade again, so a loop of types cannot run away
            for cascade in self.scenario.cascades:
                if cascade.from_type == incident_type and self.draws.random() < cascade.probability:
                    arrival = Arrival(0.0, cascade.to_type, cascade.severity or severity, lon, lat, "cascade")
                    after(self.env, cascade.after, lambda arrival=arrival: self._declare(arrival))

    def _request_units(self, track: IncidentTrack, *, key: str, needs: dict[str, int],
                       task_key: Hashable | None = None) -> None:
        generator = self.scenario.generator_for(track.incident_type)
        demand = OpenDemand(
            key=key, incident=track.number, node=self._node_at(track.lon, track.lat),
            priority=priority_for(severity=track.severity), requested_s=self.env.now, remaining=needs,
            on_scene=generator.on_scene if generator is not None else DEFAULT_ON_SCENE,
            speed_factor=self.scenario.city.speed_factor_by_severity.get(track.severity),
            drive_offset_s=self.scenario.city.drive_offset_by_severity.get(track.severity, 0.0),
        )
        if task_key is not None:
            demand.on_assigned = lambda: self._soon(lambda: self._answer(task_key, complete=False))
            # Given the demand when called, so the callback holds no reference back to it (a cycle
            # per demand would wait for the cyclic collector).
            demand.on_arrived = lambda arrived: self._complete_when_all_arrived(arrived, task_key)
        track.demands.append(key)
        self.fleet.request(demand)

    def _node_at(self, lon: float, lat: float) -> Hashable:
        node = self._nodes.get((lon, lat))
        if node is None:
            node = self._nodes[(lon, lat)] = self.city.node_at(lon, lat)
        return node

    def _first_arrival(self, number: int, at_s: float) -> None:
        track = self._by_number[number]
        if track.first_on_scene_s is None:
            track.first_on_scene_s = at_s

    # --- reacting to what the world reports ----------------------------------------------

    def _react(self, changes: Changes | None) -> None:
        """Schedule an answer for every new task, duty request, timer and spawned incident."""
        self.counters["world_calls"] += 1
        if changes is None:
            return
        # Sorted so that draws follow incident numbers, never the world's keys (most lists hold
        # one item or none, which need no sorting).
        incidents, tasks, requests, commands = changes.incidents, changes.tasks, changes.requests, changes.commands
        if len(incidents) > 1:
            incidents = sorted(incidents, key=lambda i: (self._number(i.parent_key), i.spawned_by_step))
        for child in incidents:  # tracked first: the tasks and requests may be theirs
            self._track(child.key, child.incident_type, child.severity, child.lon, child.lat, "spawned")
        if len(tasks) > 1:
            tasks = sorted(tasks, key=lambda t: (self.tracks[t.incident_key].number, t.step_id, t.agency_code))
        if len(requests) > 1:
            requests = sorted(requests, key=lambda r: (self.tracks[r.incident_key].number, r.step_id))
        for task in tasks:
            # As the dispatch service does, a step asking for a unit type the city has none of falls
            # back to the owning agency's task (else its demand would wait for ever, re-planned at
            # every unit movement).
            needs = {t: n for t, n in task.dispatch_needs or () if t in self.fleet_types}
            if needs:
                track = self.tracks[task.incident_key]
                self._request_units(track, key=f"{track.number}:{task.step_id}:{task.agency_code}",
                                    needs=needs, task_key=task.key)
            else:
                self._agency_answers(task)
        for request in requests:
            self._duty_officer_answers(request)
        if len(commands) > 1:
            commands = sorted(commands, key=lambda c: (self.tracks[c.incident_key].number, c.step_id, c.device_id))
        for command in commands:
            self._device_answers(command)
        if changes.next_due is not None:
            self._wake_by(changes.next_due)

    def _number(self, key: Hashable | None) -> int:
        return self.tracks[key].number if key in self.tracks else 0

    def _wake_by(self, due_at: datetime) -> None:
        """Make sure a wake-up is scheduled no later than `due_at` (each one schedules the next)."""
        due_s = max(self.env.now, self.clock.at_s(due_at))
        if self._wakes and min(self._wakes) <= due_s:
            return
        self._wakes.add(due_s)
        after(self.env, due_s - self.env.now, lambda: self._wake(due_s))

    def _wake(self, due_s: float) -> None:
        self._wakes.discard(due_s)
        fired, changes = self.world.fire_due_timers()
        self.counters["timers_fired"] += fired
        self._react(changes)

    def _soon(self, callback: Callable[[], None]) -> None:
        """Call back at this same instant, after the current event: the fleet is mid-plan when it
        calls back, so the world is answered from an event of its own."""
        after(self.env, 0.0, callback)

    def _complete_when_all_arrived(self, demand: OpenDemand, task_key: Hashable) -> None:
        """A dispatch step's task is done when every unit it asked for is on scene."""
        if not demand.waiting and demand.outstanding == 0:
            self._soon(lambda: self._answer(task_key, complete=True, note="units on scene"))

    # --- simulated people ---------------------------------------------------------------------

    def _agency_answers(self, task: NewTask) -> None:
        behaviour = self._behaviour.get(task.role)
        if behaviour is None:
            behaviour = self._behaviour[task.role] = self.scenario.behaviour_of(task.role)
        acknowledge, complete, no_answer, webhook_failure = behaviour
        # Draw everything now, in the deterministic order tasks are found, not when the answers happen.
        silent = no_answer > 0 and self.draws.random() < no_answer
        failures = 0
        while webhook_failure > 0 and failures < MAX_DELIVERY_ATTEMPTS and self.draws.random() < webhook_failure:
            failures += 1
        ack_s, complete_s = acknowledge.sample_s(self.draws), complete.sample_s(self.draws)
        if silent or failures == MAX_DELIVERY_ATTEMPTS:
            return  # never answered (or dead-lettered): the deadlines and the ladder take over
        delivery_s = FIRST_RETRY_S * (2 ** failures - 1)

        def acknowledge_then_complete() -> None:
            self._answer(task.key, complete=False)
            after(self.env, complete_s, lambda: self._answer(task.key, complete=True, note="done"))

        after(self.env, delivery_s + ack_s, acknowledge_then_complete)

    def _answer(self, key: Hashable, *, complete: bool, note: str = "") -> None:
        self._react(self.world.answer_task(key, complete=complete, note=note))

    def _duty_officer_answers(self, request: NewRequest) -> None:
        officer = self.scenario.behaviour.duty_officer
        if request.is_decision:
            weights = officer.choices.get(request.step_id, {})
            options = list(request.options)
            shares = [weights.get(option, 0.0) for option in options]
            choice = options[self.draws.pick(shares)] if sum(shares) > 0 else options[0]
            delay_s = officer.decide.sample_s(self.draws)
        else:
            choice, delay_s = NOTICE_APPROVE, officer.approve.sample_s(self.draws)
        after(self.env, delay_s, lambda: self._react(self.world.answer_request(request.key, choice=choice)))

    def _device_answers(self, command: NewCommand) -> None:
        """One draw decides whether the device stays silent, fails or confirms; one more, when."""
        confirm, failure, no_answer = self.scenario.behaviour.devices.of(command.device_kind)
        fate = self.draws.random() if failure > 0 or no_answer > 0 else 1.0
        delay_s = confirm.sample_s(self.draws)
        if fate < no_answer:
            return  # never answered: the step's deadline and ladder take over
        confirmed = fate >= no_answer + failure
        reason = "" if confirmed else f"drill: {command.device_id} reported a fault"
        after(self.env, delay_s,
              lambda: self._react(self.world.answer_command(command.key, confirmed=confirmed, reason=reason)))


def run_replication(scenario: Scenario, replication: int, seed: np.random.SeedSequence,
                    policy: str | None = None, world: str | None = None) -> DrillRecords:
    """Run replication number `replication` with its own seed; a top-level function, so a process
    pool can run it."""
    return Drill(scenario=scenario, replication=replication, rng=np.random.default_rng(seed), policy=policy,
                 world=world).run()
