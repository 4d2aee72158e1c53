"""Deadlines are database rows: they fire once, even across a restart or with several workers."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from coordination import Store, fire_due_timers
from coordination.store.tables import Escalation, TimelineEntry

pytestmark = pytest.mark.database


def missed(store) -> list[str]:
    with store.transaction() as session:
        return session.scalars(select(TimelineEntry.summary).where(TimelineEntry.kind == "deadline.missed")).all()


def test_a_missed_acknowledgement_is_recorded_and_escalated(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    make_agency("discom", "electricity")
    make_incident()
    clock.advance(seconds=59)
    assert fire_due_timers(store=store, clock=clock) == 0
    clock.advance(seconds=1)
    assert fire_due_timers(store=store, clock=clock) == 1
    assert missed(store) == ["acknowledgement deadline of step fire_response missed by fire-central"]
    with store.transaction() as session:
        [escalation] = session.scalars(select(Escalation)).all()
        assert (escalation.step_id, escalation.target.value, escalation.rung) == ("fire_response", "agency_supervisor", 0)


def test_a_restarted_server_fires_the_deadline_exactly_once(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire")
    make_incident()
    url = store.url.render_as_string(hide_password=False)
    store.dispose()  # the server goes down before the deadline
    clock.advance(minutes=1, seconds=30)
    restarted = Store(url)
    assert fire_due_timers(store=restarted, clock=clock) == 1
    assert fire_due_timers(store=restarted, clock=clock) == 0
    assert len(missed(restarted)) == 1
    restarted.dispose()


def test_two_workers_ticking_together_fire_each_deadline_once(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire")
    make_agency("police-central", "police")
    make_agency("discom", "electricity")
    for _ in range(4):
        make_incident()
    clock.advance(minutes=6)  # every first-step acknowledgement deadline is due
    url = store.url.render_as_string(hide_password=False)
    workers = [Store(url), Store(url)]
    fired = []
    barrier = threading.Barrier(2)

    def tick(worker):
        barrier.wait()
        fired.append(fire_due_timers(store=worker, clock=clock))

    threads = [threading.Thread(target=tick, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 12  # 4 incidents x 3 tasks, each fired by exactly one worker
    assert len(missed(store)) == 12
    for worker in workers:
        worker.dispose()
