"""A drill's gauges reporting in simulated time, judged by the live intake's own rule engine.

Each sensor reports every `interval` from the start of the drill (`simulation.hydrograph` gives
its level, the seeded generator its noise). The readings of one instant are taken in sensor-id
order, as the intake orders a batch, by `coordination.rules.evaluate_all` (the same pure engine
the intake runs, with the states kept here instead of in `rule_states`), then time passes for
the whole-kind rules (`tick_all`: correlation windows expire, silent sensors go stale). A raised
`declare` rule reports its incident through `report`: the world declares it as live (its SOP
starts, its units are sent, as for an arrival), or links it to the open incident it duplicates
(an episode that cleared and raised again while the water was still up). The other outcomes are
recorded for the planner: the drill world has no officer alerts, maintenance webhooks or revisions.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

import simpy

from coordination.incidents import DESCRIPTION_MAX_LENGTH
from coordination.rules import (
    DeclareIncident,
    MaintenanceTask,
    Observation,
    Outcome,
    Raised,
    RuleBook,
    RuleDefinition,
    RuleRef,
    RuleState,
    SensorStatus,
    SeverityRaised,
    StateKey,
    evaluate_all,
    takes_readings,
    tick_all,
)
from simulation.draws import Draws
from simulation.fleet import after
from simulation.hydrograph import level_at, responses_of
from simulation.records import RuleFiringRecord
from simulation.scenario_readings import Readings
from simulation.sim_clock import SimClock
from sop_engine import Severity

Report = Callable[[str, Severity, float, float, str, RuleRef], tuple[int, bool]]
"""(incident type, severity, longitude, latitude, description, rule) -> (the drill's number of the incident
declared, or of the open one the report was linked to; whether it was linked)."""

OUTCOME_NAMES = {Raised: "raised", SeverityRaised: "severity_raised"}


class SensorFeed:
    """The scenario's sensors, their rule states, and every rule outcome of one replication."""

    def __init__(self, *, env: simpy.Environment, clock: SimClock, readings: Readings,
                 rules: tuple[RuleDefinition, ...], draws: Draws, report: Report, replication: int):
        self.env, self.clock, self.draws, self.report = env, clock, draws, report
        self.replication = replication
        self.sensors = sorted(readings.sensors, key=lambda sensor: sensor.id)
        self.responses = [responses_of(sensor, readings.events) for sensor in self.sensors]
        self.book = RuleBook(rules)
        self.rules = {rule.ref: rule for rule in rules}
        self.states: dict[StateKey, RuleState] = {}
        self.watches_silence = any(not takes_readings(rule) for rule in rules)
        """A stale rule needs every sensor's last report at each tick; the others need none."""
        self.reported = [0] * len(self.sensors)
        """Readings sent by each sensor so far."""
        self.last_at: list[datetime | None] = [None] * len(self.sensors)
        self.due: list[tuple[float, int]] = [(0.0, index) for index in range(len(self.sensors))]
        """(next report in seconds, sensor index): a heap, ties in sensor-id order."""
        self.firings: list[RuleFiringRecord] = []
        self.readings_sent = 0

    def start(self) -> None:
        heapq.heapify(self.due)
        after(self.env, 0.0, self._report)

    def _report(self) -> None:
        """Send every reading due now, evaluate them in order, let time pass, then wait for the next."""
        now_s, now = self.env.now, self.clock.now()
        outcomes: list[Outcome] = []
        while self.due and self.due[0][0] <= now_s:
            _due_s, index = heapq.heappop(self.due)
            reading = self._reading(index, now_s, now)
            changed, produced = evaluate_all(self.book, self.states, reading, now)
            self.states.update(changed)
            outcomes.extend(produced)
            self.reported[index] += 1
            heapq.heappush(self.due, (self.reported[index] * self.sensors[index].interval, index))
        changed, produced = tick_all(self.book, self.states, now, self._statuses() if self.watches_silence else ())
        self.states.update(changed)
        outcomes.extend(produced)
        for outcome in outcomes:
            self._act(outcome)
        after(self.env, self.due[0][0] - now_s, self._report)

    def _reading(self, index: int, now_s: float, now: datetime) -> Observation:
        sensor = self.sensors[index]
        level = level_at(sensor, self.responses[index], now_s)
        if sensor.noise > 0:
            level = self.draws.normal(level, sensor.noise)
        self.readings_sent += 1
        self.last_at[index] = now
        return Observation(f"{sensor.id}/{self.reported[index]}", sensor.id, sensor.kind,
                           round(sensor.clamp(level), 4), sensor.unit, now, sensor.at[0], sensor.at[1], sensor.agency)

    def _statuses(self) -> list[SensorStatus]:
        """The sensors as a stale rule sees the registry (registered when the drill starts)."""
        return [SensorStatus(sensor.id, sensor.kind, int(sensor.interval), self.last_at[index], self.clock.start,
                             sensor.at[0], sensor.at[1], sensor.agency) for index, sensor in enumerate(self.sensors)]

    def _act(self, outcome: Outcome) -> None:
        rule = self.rules[outcome.ref]
        action, incident = rule.action, None
        if isinstance(outcome, Raised):
            if isinstance(action, DeclareIncident):
                description = "; ".join(part for part in (action.description, outcome.reason) if part)
                incident, linked = self.report(action.incident_type, outcome.severity, outcome.longitude,
                                               outcome.latitude, description[:DESCRIPTION_MAX_LENGTH], rule.ref)
                result = "linked" if linked else "declared"
            else:
                result = "maintenance" if isinstance(action, MaintenanceTask) else "alerted"
            severity, sensors = outcome.severity.value, ", ".join(outcome.sensor_ids)
        elif isinstance(outcome, SeverityRaised):
            result, severity, sensors = "severity_raised", outcome.severity.value, ", ".join(
                item.sensor_id for item in outcome.evidence)
        else:
            result, severity, sensors = "cleared", "", ""
        self.firings.append(RuleFiringRecord(
            replication=self.replication, rule=str(outcome.ref), episode=outcome.episode,
            outcome=OUTCOME_NAMES.get(type(outcome), "cleared"), at_s=self.clock.at_s(outcome.at), severity=severity,
            sensors=sensors, result=result, incident=incident))
