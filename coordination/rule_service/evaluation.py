"""Readings into rule states, shared by every intake consumer, outside the timeline's writer lock.

Several consumers share one stream (MQTT 5 shared subscriptions hand each reading to one of
them), so a rule's state cannot live in a consumer: a correlation must see the readings every
consumer took. States live in `rule_states`, one row per rule version and scope (a sensor, or
`*` for a whole kind). A batch locks the rows it needs (`FOR UPDATE`, in key order, so two
consumers never wait for each other in a cycle), evaluates its readings in time order against
them, writes back what changed and inserts the outcomes into `rule_outcomes` (unique per episode
and event, so a reading evaluated again decides nothing new), all in one transaction. Each
reading is thus evaluated once against the state every earlier one left, whichever consumer took
it, and a correlation fires once.

This transaction is a measurement's consequence, not an event of the record: it is written with
the engine's connection, not a `Store` session, so it never waits for the timeline's writer lock
(on SQLite, BEGIN IMMEDIATE still serialises it with every writer). What the outcomes mean is
recorded on the timeline when they are acted on (`actions.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec
from sqlalchemy import Connection, bindparam, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coordination.clock import Clock
from coordination.rule_service.catalogue import active_rule_book
from coordination.rules import (
    Cleared,
    Observation,
    Outcome,
    Raised,
    RuleBook,
    RuleDefinition,
    RuleState,
    SensorStatus,
    SeverityRaised,
    evaluate_watched,
    initial_state,
    scope_of,
    state_from_json,
    state_to_json,
    tick,
)
from coordination.store import Store
from coordination.store.tables import RuleOutcome, RuleStateRow

Key = tuple[str, int, str]
"""(rule id, rule version, scope): one row of `rule_states`."""

_STATES = RuleStateRow.__table__
_OUTCOMES = RuleOutcome.__table__


def evaluate_readings(*, store: Store, clock: Clock, readings: Sequence[Observation]) -> int:
    """Evaluate `readings` against every active rule that watches them; return the number of new
    outcomes waiting to be acted on (`act_on_outcomes`)."""
    if not readings:
        return 0
    ordered = sorted(readings, key=lambda item: (item.observed_at, item.sensor_id, item.reading_id))
    now = clock.now()
    with store.engine.begin() as connection:
        book = active_rule_book(connection)
        wanted: dict[Key, RuleDefinition] = {}
        work: list[tuple[Observation, list[tuple[Key, RuleDefinition]]]] = []
        # A batch holds many readings of few sensors: which rules take a sensor's readings is
        # worked out once per sensor (and unit) here, not once per reading and rule.
        taking: dict[tuple[str, str, str], list[tuple[Key, RuleDefinition]]] = {}
        for reading in ordered:
            sensor = (reading.sensor_id, reading.kind, reading.unit)
            rules = taking.get(sensor)
            if rules is None:
                rules = taking[sensor] = [(_key(rule, scope_of(rule, reading)), rule)
                                          for rule in book.for_kind(reading.kind) if rule.applies_to(*sensor)]
            if rules:
                work.append((reading, rules))
                wanted.update(rules)
        if not wanted:
            return 0
        states = _locked_states(connection, wanted, now)
        changed: set[Key] = set()
        outcomes: list[Outcome] = []
        for reading, rules in work:
            for key, rule in rules:
                after, produced = evaluate_watched(rule, states[key], reading, now)
                if after is not states[key]:
                    states[key] = after
                    changed.add(key)
                outcomes.extend(produced)
        _write_states(connection, {key: states[key] for key in changed}, now)
        return _insert_outcomes(connection, outcomes, now)


def tick_rules(*, store: Store, clock: Clock, sensors: Iterable[SensorStatus]) -> int:
    """Let time pass for every whole-kind rule (correlation windows expire, sensors go stale);
    return the number of new outcomes waiting to be acted on."""
    now = clock.now()
    sensors = tuple(sensors)
    with store.engine.begin() as connection:
        book = active_rule_book(connection)
        wanted = {_key(rule, "*"): rule for rule in book.rules if not rule.is_per_sensor}
        if not wanted:
            return 0
        states = _locked_states(connection, wanted, now)
        changed: dict[Key, RuleState] = {}
        outcomes: list[Outcome] = []
        for key, rule in sorted(wanted.items()):
            after, produced = tick(rule, states[key], now, sensors)
            if after is not states[key]:
                changed[key] = after
            outcomes.extend(produced)
        _write_states(connection, changed, now)
        return _insert_outcomes(connection, outcomes, now)


def _key(rule: RuleDefinition, scope: str) -> Key:
    return (rule.ref.rule_id, rule.ref.version, scope)


def _locked_states(connection: Connection, wanted: dict[Key, RuleDefinition], now: datetime) -> dict[Key, RuleState]:
    """Create the missing rows, then lock and read every wanted row, in key order."""
    keys = sorted(wanted)
    existing = {tuple(row) for row in connection.execute(
        select(_STATES.c.rule_id, _STATES.c.rule_version, _STATES.c.scope)
        .where(tuple_(_STATES.c.rule_id, _STATES.c.rule_version, _STATES.c.scope).in_(keys)))}
    missing = [key for key in keys if key not in existing]
    if missing:
        rows = [{"rule_id": key[0], "rule_version": key[1], "scope": key[2],
                 "state": state_to_json(initial_state(wanted[key])).decode(), "updated_at": now} for key in missing]
        connection.execute(_insert_ignoring(connection, _STATES, ["rule_id", "rule_version", "scope"]), rows)
    query = (select(_STATES.c.rule_id, _STATES.c.rule_version, _STATES.c.scope, _STATES.c.state)
             .where(tuple_(_STATES.c.rule_id, _STATES.c.rule_version, _STATES.c.scope).in_(keys))
             .order_by(_STATES.c.rule_id, _STATES.c.rule_version, _STATES.c.scope))
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return {(rule_id, version, scope): state_from_json(state)
            for rule_id, version, scope, state in connection.execute(query)}


def _write_states(connection: Connection, states: dict[Key, RuleState], now: datetime) -> None:
    if not states:
        return
    statement = (update(_STATES)
                 .where(_STATES.c.rule_id == bindparam("k_rule_id"), _STATES.c.rule_version == bindparam("k_version"),
                        _STATES.c.scope == bindparam("k_scope"))
                 .values(state=bindparam("k_state"), updated_at=bindparam("k_updated_at")))
    connection.execute(statement, [
        {"k_rule_id": key[0], "k_version": key[1], "k_scope": key[2], "k_state": state_to_json(state).decode(),
         "k_updated_at": now} for key, state in sorted(states.items())])


def outcome_key(outcome: Outcome) -> str:
    """What makes an outcome itself: its episode and what happened to it."""
    if isinstance(outcome, Raised):
        return f"{outcome.episode}#raised"
    if isinstance(outcome, SeverityRaised):
        return f"{outcome.episode}#severity:{outcome.severity.value}"
    return f"{outcome.episode}#cleared"


OUTCOME_KINDS = {Raised: "raised", SeverityRaised: "severity_raised", Cleared: "cleared"}


def _insert_outcomes(connection: Connection, outcomes: list[Outcome], now: datetime) -> int:
    """Insert the outcomes not yet recorded; return how many were new (each waits to be acted on)."""
    if not outcomes:
        return 0
    rows = [{"outcome_key": outcome_key(outcome), "episode": outcome.episode, "rule_id": outcome.rule_id,
             "rule_version": outcome.rule_version, "kind": OUTCOME_KINDS[type(outcome)],
             "body": msgspec.to_builtins(outcome), "observed_at": outcome.at, "decided_at": now,
             "acted_at": None, "result": None, "note": "", "incident_id": None} for outcome in outcomes]
    inserted = connection.execute(_insert_ignoring(connection, _OUTCOMES, ["outcome_key"]).returning(
        _OUTCOMES.c.seq), rows)
    return len(inserted.all())


def _insert_ignoring(connection: Connection, table, conflict_columns: list[str]):
    """An INSERT that skips rows whose unique key is already there (ON CONFLICT DO NOTHING)."""
    if connection.dialect.name == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    if connection.dialect.name == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    return insert(table)


__all__ = ["OUTCOME_KINDS", "evaluate_readings", "outcome_key", "tick_rules"]
