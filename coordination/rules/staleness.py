"""Stale sensors: no reading for k times a sensor's reporting interval. Checked on the tick
(time passing is what makes a sensor stale), against the registry and each sensor's last reading."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from coordination.rules.definition import RuleDefinition, Staleness
from coordination.rules.observations import SensorStatus
from coordination.rules.outcomes import Cleared, Outcome, Raised, episode_key
from coordination.rules.state import StaleSensor, StaleState

SCOPE = "*"


def check_staleness(rule: RuleDefinition, state: StaleState, sensors: Iterable[SensorStatus], now: datetime
                    ) -> tuple[StaleState, tuple[Outcome, ...]]:
    """Raise for each sensor of the rule's kind newly overdue; clear each one heard from again.

    `sensors` is the whole registry: a stale sensor missing from it was removed, and clears. A
    sensor never heard from is counted from its registration.
    """
    condition = rule.condition
    assert isinstance(condition, Staleness)
    stale = {item.sensor_id: item for item in state.stale}
    episodes = state.episodes
    outcomes: list[Outcome] = []
    watched = sorted((sensor for sensor in sensors if rule.watches(sensor.sensor_id, sensor.kind)),
                     key=lambda item: item.sensor_id)
    for gone in sorted(set(stale) - {sensor.sensor_id for sensor in watched}):
        outcomes.append(Cleared(rule.ref.rule_id, rule.ref.version, stale.pop(gone).episode, now,
                                f"{gone} is no longer registered"))
    for sensor in watched:
        last = sensor.last_observed_at or sensor.registered_at
        allowed = timedelta(seconds=sensor.interval_s * condition.missed_intervals)
        overdue = now - last > allowed
        if overdue and sensor.sensor_id not in stale:
            episodes += 1
            episode = episode_key(rule.ref, sensor.sensor_id, episodes)
            stale[sensor.sensor_id] = StaleSensor(sensor.sensor_id, episode)
            heard = (f"last reading {sensor.last_observed_at.isoformat()}" if sensor.last_observed_at
                     else "never heard from since it was registered")
            outcomes.append(Raised(
                rule.ref.rule_id, rule.ref.version, episode, now, rule.severity_for(0.0), sensor.longitude,
                sensor.latitude, (sensor.sensor_id,), (),
                f"{sensor.sensor_id} ({sensor.kind}) silent for more than {condition.missed_intervals:g} x its "
                f"{sensor.interval_s} s interval: {heard}", sensor.agency))
        elif not overdue and sensor.sensor_id in stale:
            outcomes.append(Cleared(rule.ref.rule_id, rule.ref.version, stale.pop(sensor.sensor_id).episode, now,
                                    f"{sensor.sensor_id} reports again"))
    if not outcomes:
        return state, ()
    return StaleState(tuple(sorted(stale.values(), key=lambda item: item.sensor_id)), episodes), tuple(outcomes)
