"""The KPIs of a period of live work, read from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import (
    DEMO_AGENCIES,
    SYSTEM,
    Acknowledge,
    Complete,
    InvalidInput,
    Principal,
    Role,
    answer_task,
    declare_incident,
    fire_due_timers,
    seed_demo_agencies,
)
from coordination.dispatch_service import StatusReport, accept_recommendation, recommend_dispatch, report_status, seed_demo_fleet
from coordination.performance_queries import Period, live_performance
from coordination.store.tables import Agency, ResponseUnit, Task
from tests.conftest import LOOPBACK, incident_report

pytestmark = pytest.mark.database


@pytest.fixture
def demo_city(store, clock, shipped_sops):
    with store.transaction() as session:
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=LOOPBACK,
                           webhook_url_for={demo.code: f"http://127.0.0.1:9/hooks/{demo.code}" for demo in DEMO_AGENCIES})
        seed_demo_fleet(session=session, clock=clock)


def agency(session, code: str) -> Principal:
    row = session.scalar(select(Agency).where(Agency.code == code))
    return Principal(token_id=None, name=code, role=Role.AGENCY, agency_id=row.id)


def answer(store, clock, incident_id, code: str, reply) -> None:
    with store.transaction() as session:
        task = session.scalar(select(Task).join(Agency).where(Task.incident_id == incident_id, Agency.code == code))
        answer_task(session=session, clock=clock, principal=agency(session, code), task_id=task.id, answer=reply)


def test_a_fire_measured_live_and_the_exercise_beside_it_left_out(store, clock, demo_city):
    """A building fire: fire acknowledges in 30 s (due 1 min), police in 4 min (due 3 min, and
    escalated), the electricity company never; an ambulance is dispatched after 2 min and on
    scene after 9 min. An exercise fire answered in 1 s changes nothing."""
    start = clock.now()
    with store.transaction() as session:
        fire = declare_incident(session=session, clock=clock, report=incident_report(), actor=SYSTEM).id
        exercise = declare_incident(session=session, clock=clock, report=incident_report(is_exercise=True),
                                    actor=SYSTEM).id
    clock.advance(seconds=1)
    answer(store, clock, exercise, "fire-central", Acknowledge())
    clock.advance(seconds=29)
    answer(store, clock, fire, "fire-central", Acknowledge())
    clock.advance(seconds=90)  # 2 min
    with store.transaction() as session:
        plan = recommend_dispatch(session=session, clock=clock, incident_id=fire, needs={"ambulance": 1},
                                  requested_by="duty_officer:asha")
        accept_recommendation(session=session, clock=clock, recommendation_id=plan.id, decided_by="duty_officer:asha")
    clock.advance(seconds=90)  # 3.5 min: police is late
    fire_due_timers(store=store, clock=clock)
    clock.advance(seconds=30)  # 4 min
    answer(store, clock, fire, "police-central", Acknowledge())
    clock.advance(seconds=300)  # 9 min
    with store.transaction() as session:
        unit = session.scalar(select(ResponseUnit).where(ResponseUnit.status == "dispatched"))
        for status in ("en_route", "on_scene"):
            report_status(session=session, clock=clock, principal=agency(session, unit.agency.code), unit_id=unit.id,
                          report=StatusReport(status=status))
    clock.advance(seconds=60)  # 10 min
    answer(store, clock, fire, "fire-central", Complete(note="out"))

    with store.transaction() as session:
        rows = live_performance(session=session, period=Period(start, start + timedelta(days=1)), now=clock.now())
    kpis = {row.key: row for row in rows}
    assert kpis["agency", "fire-central", "ack_s.mean"].value == 30
    assert kpis["agency", "fire-central", "complete_s.p90"].value == 600
    assert kpis["agency", "police-central", "ack_s.p50"].value == 240
    assert kpis["agency", "police-central", "ack_in_time.share"].value == 0
    assert kpis["agency", "police-central", "escalations"].value >= 1
    # Five tasks: fire, police, electricity (never answered), the ambulance's dispatch order (never
    # acknowledged), and casualty care, created when the fire was out, its deadline still ahead.
    assert kpis["centre", "all", "tasks"].value == kpis["incident type", "building_fire", "tasks"].value == 5
    assert kpis["centre", "all", "ack_in_time.share"].value == 0.25
    assert kpis["incident type", "building_fire", "dispatched_s.mean"].value == 120
    assert kpis["incident type", "building_fire", "on_scene_s.mean"].value == 540
    assert kpis["agency", unit.agency.code, "on_scene_s.p50"].value == 540
    assert all(row.value != 1 for row in rows if row.measure == "ack_s.mean")  # the exercise's 1 s is absent

    with store.transaction() as session:
        later = live_performance(session=session, period=Period(start + timedelta(days=1), start + timedelta(days=2)),
                                 now=clock.now())
    assert later == []


def test_a_period_ends_after_it_starts_and_lasts_at_most_a_year(clock):
    now = clock.now()
    with pytest.raises(InvalidInput) as backwards:
        Period(now, now)
    assert backwards.value.field == "to"
    with pytest.raises(InvalidInput):
        Period(now, now + timedelta(days=400))
    assert Period(now, now + timedelta(days=7)).previous() == Period(now - timedelta(days=7), now)
