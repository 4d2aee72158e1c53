"""Rule states are shared by every consumer and outlive each: two consumers evaluating at the
same moment see each other's readings and a correlation fires once; a consumer started afresh
continues a window in progress and fires nothing again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from coordination import Store
from coordination.rule_service import evaluate_readings, tick_rules
from coordination.store.tables import RuleOutcome, RuleStateRow

from tests.coordination.rule_service.sensing import observed

pytestmark = pytest.mark.database


def raised_count(store, rule_id="drains-flood"):
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(RuleOutcome).where(
            RuleOutcome.kind == "raised", RuleOutcome.rule_id == rule_id))


def test_two_consumers_at_the_same_moment_each_see_the_others_readings_and_fire_once(
        postgres_store, clock, shipped_rules):
    store = postgres_store
    rounds = 8
    for number in range(rounds):
        east = number * 5000.0  # each round a cluster of its own, far from the others
        first = [observed(clock, f"r{number}-a", 0.8, east_m=east), observed(clock, f"r{number}-c", 0.8, east_m=east + 200)]
        second = [observed(clock, f"r{number}-b", 0.8, east_m=east + 100)]
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def consumer(readings):
            try:
                start.wait(timeout=10)
                evaluate_readings(store=store, clock=clock, readings=readings)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=consumer, args=(readings,)) for readings in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert raised_count(store) == number + 1, f"round {number}"


def test_a_consumer_started_afresh_continues_the_window_and_fires_nothing_again(store, clock, shipped_rules):
    url = store.url.render_as_string(hide_password=False)
    before = Store(url)
    evaluate_readings(store=before, clock=clock, readings=[observed(clock, "d1", 0.8), observed(clock, "d2", 0.8, east_m=100)])
    before.dispose()  # the process stops with two drains over their mark in the window
    clock.advance(minutes=5)
    after = Store(url)
    third = observed(clock, "d3", 0.8, east_m=200)
    assert evaluate_readings(store=after, clock=clock, readings=[third]) == 1
    assert evaluate_readings(store=after, clock=clock, readings=[third]) == 0  # redelivered after a restart
    after.dispose()
    assert raised_count(store) == 1


def test_time_passing_clears_a_cluster_on_the_tick(store, clock, shipped_rules):
    evaluate_readings(store=store, clock=clock, readings=[observed(clock, f"d{n}", 0.8, east_m=100 * n) for n in range(3)])
    clock.advance(minutes=31)
    assert tick_rules(store=store, clock=clock, sensors=()) == 1
    with store.transaction() as session:
        assert session.scalars(select(RuleOutcome.kind).order_by(RuleOutcome.seq)).all() == ["raised", "cleared"]


def test_a_reading_no_rule_watches_touches_no_state(store, clock, shipped_rules):
    assert evaluate_readings(store=store, clock=clock, readings=[observed(clock, "t1", 31.0, kind="temperature",
                                                                         unit="Cel")]) == 0
    with store.transaction() as session:
        assert session.scalars(select(RuleStateRow)).all() == []
