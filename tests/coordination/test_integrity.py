"""The integrity board: nothing that could be stalling goes unlisted."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from coordination import fire_due_timers
from coordination.integrity import integrity_report
from coordination.lifecycles import DeliveryStatus, TimerStatus
from coordination.store.tables import Timer, WebhookMessage

pytestmark = pytest.mark.database


def report(store, clock):
    with store.transaction() as session:
        found = integrity_report(session=session, now=clock.now())
        return {
            "overdue": sorted(task.step_id for task in found.overdue_tasks),
            "escalations": sorted((e.step_id, e.target.value) for e in found.open_escalations),
            "dead": [message.event_type for message in found.dead_letters],
            "stalled": len(found.stalled_runs),
            "clear": found.is_clear,
        }


def test_a_fresh_incident_is_clear(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    make_incident()
    assert report(store, clock)["clear"]


def test_missed_deadlines_and_their_escalations_are_listed_until_answered(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    make_incident()
    clock.advance(minutes=2)
    assert report(store, clock)["overdue"] == ["fire_response"]  # listed even before the tick fires
    fire_due_timers(store=store, clock=clock)
    assert report(store, clock)["escalations"] == [("fire_response", "agency_supervisor")]


def test_dead_letters_and_stalled_runs_are_listed(store, clock, make_agency, make_incident):
    make_agency("fire-central", "fire", webhook_url="http://127.0.0.1:9/fire")
    make_incident()
    with store.transaction() as session:
        session.execute(update(WebhookMessage).values(status=DeliveryStatus.DEAD, attempts=10,
                                                      last_error="connection refused"))
        session.execute(update(Timer).values(status=TimerStatus.CANCELLED))  # as if nothing were scheduled
    clock.advance(minutes=31)
    found = report(store, clock)
    assert found["dead"] == ["task.created"]
    assert found["stalled"] == 1
