"""One replication of a drill: SimPy drives the production services in simulated time.

The production code does the coordinating: `declare_incident` starts the real SOPs, the
simulated agencies answer through `answer_task`, the simulated duty officer through
`answer_request`, deadlines fire through `fire_due_timers`, all over an in-memory SQLite
store with a `SimClock`. After every service call the drill looks at what the service wrote
(new tasks, requests to the duty officer, timers, spawned incidents) and starts the SimPy
process that answers it. Everything the drill samples comes from one seeded generator, drawn
in an order that does not depend on database UUIDs, so a seed gives the same records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import simpy
from sqlalchemy import select

from coordination import (
    MAX_DELIVERY_ATTEMPTS,
    TimerStatus,
    Acknowledge,
    Complete,
    IncidentReport,
    answer_request,
    answer_task,
    declare_incident,
    fire_due_timers,
)
from coordination.dispatch import priority_for
from coordination.lifecycles import NOTICE_APPROVE, DutyRequestKind, DutyRequestStatus
from coordination.sop_catalogue import definition_for
from coordination.store.tables import DutyRequest, Incident, SopRunRecord, Task, Timer
from simulation.arrivals import Arrival, draw_arrivals
from simulation.city import City, build_city
from simulation.distributions import Delay
from simulation.fleet import Fleet, OpenDemand
from simulation.harvest import harvest
from simulation.records import DrillRecords
from simulation.scenario import Scenario
from simulation.sim_clock import SimClock
from simulation.world import DRILL_DUTY_OFFICER, open_world
from sop_engine import UNIT_TYPES, DispatchAction, SopRef

FIRST_RETRY_S = 15.0
"""The outbox's first backoff interval, doubling per failed attempt (see coordination.webhooks)."""

DEFAULT_ON_SCENE = Delay(exponential=1200)


@dataclass
class IncidentTrack:
    """What the drill knows of one incident beyond the database."""

    number: int
    incident_type: str
    origin: str
    first_on_scene_s: float | None = None
    demands: list[str] = field(default_factory=list)


class Drill:
    """One replication: build the world, run SimPy to the horizon, harvest the records."""

    def __init__(self, *, scenario: Scenario, replication: int, rng: np.random.Generator,
                 city: City | None = None, policy: str | None = None):
        self.scenario, self.replication, self.rng = scenario, replication, rng
        self.env = simpy.Environment()
        self.clock = SimClock(self.env, scenario.start)
        self.city = city or build_city(scenario)
        self.store, self.principals = open_world(scenario, start=scenario.start)
        self.fleet = Fleet(env=self.env, city=self.city, policy=policy or scenario.dispatch.policy, rng=rng,
                           replication=replication, on_first_arrival=self._first_arrival)
        self.tracks: dict[uuid.UUID, IncidentTrack] = {}
        self._by_number: dict[int, IncidentTrack] = {}
        self._known: set[uuid.UUID] = set()
        self._wakes: set[datetime] = set()
        self.counters = {"service_calls": 0, "timers_fired": 0}

    def run(self) -> DrillRecords:
        """Run to the scenario's duration and return the replication's records."""
        arrivals = draw_arrivals(scenario=self.scenario, bounds=self.city.bounds, rng=self.rng)
        self.env.process(self._arrivals(arrivals))
        self.env.run(until=self.scenario.duration)
        records = harvest(store=self.store, clock=self.clock, tracks=self.tracks, fleet=self.fleet,
                          replication=self.replication, duration_s=self.scenario.duration, counters=self.counters)
        self.store.dispose()
        return records

    # --- incidents -------------------------------------------------------------------------

    def _arrivals(self, arrivals: list[Arrival]):
        for arrival in arrivals:
            if arrival.at_s > self.env.now:
                yield self.env.timeout(arrival.at_s - self.env.now)
            self._declare(arrival)

    def _declare(self, arrival: Arrival) -> None:
        report = IncidentReport(
            type=arrival.incident_type, severity=arrival.severity, is_exercise=True,
            location={"type": "Point", "coordinates": (arrival.lon, arrival.lat)},
            description=f"Drill {self.scenario.name}: {arrival.origin} {arrival.incident_type}",
            reporter={"name": "drill"},
        )
        with self.store.transaction() as session:
            incident = declare_incident(session=session, clock=self.clock, report=report, actor=DRILL_DUTY_OFFICER)
            self._track(incident, arrival.origin)
        self.counters["service_calls"] += 1
        self._sync()

    def _track(self, incident: Incident, origin: str) -> None:
        track = IncidentTrack(len(self.tracks) + 1, incident.incident_type, origin)
        self.tracks[incident.id] = self._by_number[track.number] = track
        generator = self.scenario.generator_for(incident.incident_type)
        if generator is not None and generator.response:
            self._request_units(incident, key=f"{len(self.tracks)}:initial", needs=dict(generator.response))
        if origin != "cascade":  # cascades do not cascade again, so a loop of types cannot run away
            for cascade in self.scenario.cascades:
                if cascade.from_type == incident.incident_type and self.rng.random() < cascade.probability:
                    self.env.process(self._cascade(cascade.after, Arrival(
                        0.0, cascade.to_type, cascade.severity or incident.severity, incident.longitude,
                        incident.latitude, "cascade")))

    def _cascade(self, after_s: float, arrival: Arrival):
        yield self.env.timeout(after_s)
        self._declare(arrival)

    def _request_units(self, incident: Incident, *, key: str, needs: dict[str, int],
                       task_id: uuid.UUID | None = None) -> None:
        track = self.tracks[incident.id]
        generator = self.scenario.generator_for(incident.incident_type)
        demand = OpenDemand(
            key=key, incident=track.number, node=self.city.node_at(incident.longitude, incident.latitude),
            priority=priority_for(severity=incident.severity), requested_s=self.env.now, remaining=needs,
            on_scene=generator.on_scene if generator is not None else DEFAULT_ON_SCENE,
        )
        if task_id is not None:
            demand.on_assigned = lambda: self._soon(self._answer(task_id, Acknowledge()))
            demand.on_arrived = lambda: (not demand.waiting and demand.outstanding == 0
                                         and self._soon(self._answer(task_id, Complete("units on scene"))))
        track.demands.append(key)
        self.fleet.request(demand)

    def _first_arrival(self, number: int, at_s: float) -> None:
        track = self._by_number[number]
        if track.first_on_scene_s is None:
            track.first_on_scene_s = at_s

    # --- reacting to what the services wrote ------------------------------------------------

    def _sync(self) -> None:
        """Start a process for every new task, duty request, timer and spawned incident."""
        now = self.clock.now()
        with self.store.transaction() as session:
            spawned = session.scalars(select(Incident).where(Incident.declared_at >= now)).all()
            for child in sorted((i for i in spawned if i.id not in self.tracks),
                                key=lambda i: (self._number(i.parent_incident_id), i.spawned_by_step or "")):
                self._track(child, "spawned")
            tasks = session.execute(
                select(Task, SopRunRecord.sop_id, SopRunRecord.sop_version)
                .join(SopRunRecord, SopRunRecord.id == Task.run_id)
                .where(Task.created_at >= now)
            ).all()
            new_tasks = sorted(((t, sop, v) for t, sop, v in tasks if t.id not in self._known),
                               key=lambda row: (self.tracks[row[0].incident_id].number, row[0].step_id,
                                                row[0].agency.code))
            for task, sop_id, version in new_tasks:
                self._known.add(task.id)
                step = definition_for(session, SopRef(sop_id, version)).step(task.step_id)
                if isinstance(step.action, DispatchAction):
                    needs = {t: n for t, n in step.action.units if UNIT_TYPES[t] == task.role}
                    self._request_units(task.incident, key=f"{self.tracks[task.incident_id].number}:{task.step_id}"
                                        f":{task.agency.code}", needs=needs, task_id=task.id)
                else:
                    self._agency_answers(task)
            requests = session.scalars(
                select(DutyRequest).where(DutyRequest.created_at >= now,
                                          DutyRequest.status == DutyRequestStatus.OPEN)).all()
            for request in sorted((r for r in requests if r.id not in self._known),
                                  key=lambda r: (self.tracks[r.incident_id].number, r.step_id)):
                self._known.add(request.id)
                self._duty_officer_answers(request)
            due = session.scalars(
                select(Timer.due_at).where(Timer.status == TimerStatus.PENDING, Timer.due_at > now).distinct()
            ).all()
        for due_at in sorted(set(due) - self._wakes):
            self._wakes.add(due_at)
            self.env.process(self._wake_at(due_at))

    def _number(self, incident_id: uuid.UUID | None) -> int:
        return self.tracks[incident_id].number if incident_id in self.tracks else 0

    def _wake_at(self, due_at: datetime):
        yield self.env.timeout(max(0.0, self.clock.at_s(due_at) - self.env.now))
        self._wakes.discard(due_at)
        self.counters["timers_fired"] += fire_due_timers(store=self.store, clock=self.clock)
        self.counters["service_calls"] += 1
        self._sync()

    def _soon(self, process) -> bool:
        """Run a generator as a process at this same instant, after the current one."""
        self.env.process(process)
        return True

    # --- simulated people ---------------------------------------------------------------------

    def _agency_answers(self, task: Task) -> None:
        acknowledge, complete, no_answer, webhook_failure = self.scenario.behaviour_of(task.role)
        # Draw everything now, in the deterministic order tasks are found, not when processes run.
        silent = self.rng.random() < no_answer
        failures = 0
        while failures < MAX_DELIVERY_ATTEMPTS and self.rng.random() < webhook_failure:
            failures += 1
        ack_s, complete_s = acknowledge.sample_s(self.rng), complete.sample_s(self.rng)
        if silent or failures == MAX_DELIVERY_ATTEMPTS:
            return  # never answered (or dead-lettered): the deadlines and the ladder take over
        delivery_s = FIRST_RETRY_S * (2 ** failures - 1)
        self.env.process(self._answer(task.id, Acknowledge(), after_s=delivery_s + ack_s,
                                      then=(Complete("done"), complete_s)))

    def _answer(self, task_id: uuid.UUID, answer, *, after_s: float = 0.0, then=None):
        yield self.env.timeout(after_s)
        with self.store.transaction() as session:
            task = session.get(Task, task_id)
            if task is None or not task.status.is_open:
                return
            if isinstance(answer, Acknowledge) and task.acknowledged_at is not None:
                pass  # a dispatch task is acknowledged once, at its first unit
            else:
                answer_task(session=session, clock=self.clock, principal=self.principals[task.agency.code],
                            task_id=task_id, answer=answer)
        self.counters["service_calls"] += 1
        self._sync()
        if then is not None:
            follow_up, after = then
            yield from self._answer(task_id, follow_up, after_s=after)

    def _duty_officer_answers(self, request: DutyRequest) -> None:
        officer = self.scenario.behaviour.duty_officer
        if request.kind is DutyRequestKind.DECISION:
            weights = officer.choices.get(request.step_id, {})
            options = list(request.options)
            shares = np.array([weights.get(option, 0.0) for option in options], dtype=float)
            choice = options[int(self.rng.choice(len(options), p=shares / shares.sum()))] if shares.sum() > 0 \
                else options[0]
            delay_s = officer.decide.sample_s(self.rng)
        else:
            choice, delay_s = NOTICE_APPROVE, officer.approve.sample_s(self.rng)
        self.env.process(self._decide(request.id, choice, delay_s))

    def _decide(self, request_id: uuid.UUID, choice: str, delay_s: float):
        yield self.env.timeout(delay_s)
        with self.store.transaction() as session:
            request = session.get(DutyRequest, request_id)
            if request is None or request.status is not DutyRequestStatus.OPEN:
                return
            answer_request(session=session, clock=self.clock, principal=DRILL_DUTY_OFFICER,
                           request_id=request_id, choice=choice)
        self.counters["service_calls"] += 1
        self._sync()


def run_replication(scenario: Scenario, replication: int, seed: np.random.SeedSequence,
                    policy: str | None = None) -> DrillRecords:
    """Run replication number `replication` with its own seed; a top-level function, so a process
    pool can run it."""
    return Drill(scenario=scenario, replication=replication, rng=np.random.default_rng(seed), policy=policy).run()
