"""Dispatch orders and move-ups have no SOP run, hence no escalation ladder: a missed deadline of
one is raised to the duty officer, once per deadline, by the tick that fires the timers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import Acknowledge, alert_missed_order_deadlines, answer_task
from coordination.order_deadlines import _raise
from coordination.store.tables import OfficerAlert, Task
from tests.coordination.dispatch_service.test_recommendations import NEAR_CENTRE, accept, recommend

pytestmark = pytest.mark.database


def order_for_a_boat(store, clock, make_incident) -> Task:
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    accepted = accept(store, clock, recommend(store, clock, incident_id, {"rescue_boat": 1}).id)
    with store.transaction() as session:
        return session.get(Task, uuid.UUID(accepted.plan["dispatched"][0]["task_id"]))


def alerts(store) -> list[OfficerAlert]:
    with store.transaction() as session:
        return session.scalars(select(OfficerAlert).where(OfficerAlert.kind.like("order.%"))
                               .order_by(OfficerAlert.raised_at)).all()


def test_an_unacknowledged_order_is_raised_once_to_the_duty_officer(store, clock, demo_city, make_incident):
    order = order_for_a_boat(store, clock, make_incident)
    assert alert_missed_order_deadlines(store=store, clock=clock) == 0, "nothing is due yet"
    clock.set(order.ack_due_at + timedelta(seconds=1))
    assert alert_missed_order_deadlines(store=store, clock=clock) == 1
    assert alert_missed_order_deadlines(store=store, clock=clock) == 0, "each deadline is raised once"
    [alert] = alerts(store)
    assert alert.kind == "order.unacknowledged" and alert.incident_id == order.incident_id
    assert alert.data["agency"] == "ddma" and "acknowledgement deadline" in alert.summary
    assert order.instruction in alert.summary


def test_an_order_answered_in_time_raises_nothing_and_a_late_finish_raises_its_own_alert(
        store, clock, demo_city, make_incident):
    order = order_for_a_boat(store, clock, make_incident)
    with store.transaction() as session:
        answer_task(session=session, clock=clock, principal=demo_city["ddma"], task_id=order.id, answer=Acknowledge())
    clock.set(order.complete_due_at + timedelta(seconds=1))
    assert alert_missed_order_deadlines(store=store, clock=clock) == 1
    assert [alert.kind for alert in alerts(store)] == ["order.overdue"]


def test_sop_tasks_are_left_to_their_runs_ladders(store, clock, demo_city, make_incident):
    make_incident(type="building_fire", severity="severe", location=NEAR_CENTRE)
    clock.advance(minutes=360)
    assert alert_missed_order_deadlines(store=store, clock=clock) == 0


def test_a_worker_that_found_the_same_missed_deadline_late_does_not_raise_it_again(store, clock, demo_city,
                                                                                    make_incident):
    """Two workers' ticks can both find one deadline; the unique claim lets only the first raise it."""
    order = order_for_a_boat(store, clock, make_incident)
    clock.set(order.ack_due_at + timedelta(seconds=1))
    assert _raise(store=store, now=clock.now(), task_id=order.id, deadline="acknowledgement") == 1
    assert _raise(store=store, now=clock.now(), task_id=order.id, deadline="acknowledgement") == 0
    assert len(alerts(store)) == 1
