"""An SOP dispatch step asks the dispatch service when the fleet has the units, else falls back to tasks."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from coordination import SYSTEM, stand_down, store_sop_version
from coordination.dispatch_confirmations import accept_dispatch
from coordination.dispatch_service import recommend_for_sop_step
from coordination.store.tables import DispatchRecommendation, Incident, ResponseUnit, SopRunRecord, Task
from tests.coordination.test_duty import OFFICER, stand_in_for_the_shipped_sops

pytestmark = pytest.mark.database

NEAR_CENTRE = {"type": "Point", "coordinates": [77.5946, 12.9716]}


def run_of(store, incident_id):
    with store.transaction() as session:
        return session.scalar(select(SopRunRecord.id).where(SopRunRecord.incident_id == incident_id))


def test_a_step_whose_units_are_registered_gets_a_recommendation_linked_to_it(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    run_id = run_of(store, incident_id)
    with store.transaction() as session:
        recommendation = recommend_for_sop_step(session=session, clock=clock, incident_id=incident_id, run_id=run_id,
                                                step_id="boats", units=(("rescue_boat", 2), ("ambulance", 1)))
        assert (recommendation.sop_run_id, recommendation.sop_step_id) == (run_id, "boats")
        assert recommendation.requested_by == "engine"
        assert sorted(a["need"] for a in recommendation.plan["assignments"]) == ["ambulance", "rescue_boat",
                                                                                  "rescue_boat"]


def test_a_step_asking_for_a_type_with_no_units_falls_back_to_tasks(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    run_id = run_of(store, incident_id)
    with store.transaction() as session:
        assert recommend_for_sop_step(session=session, clock=clock, incident_id=incident_id,
                                      run_id=run_id, step_id="survey",
                                      units=(("surveillance_team", 1), ("ambulance", 1))) is None


DISPATCH_SOP = """\
id: dispatch-test
version: 1
title: Send an ambulance, then triage
trigger: {incident_types: [building_collapse]}
target: 3h
steps:
  - id: send
    dispatch: {ambulance: 1}
  - id: triage
    after: [send]
    task: {role: health, do: "Triage the injured"}
"""


def test_accepting_the_recommendation_moves_the_sops_dispatch_step_on(store, clock, demo_city, make_incident):
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
        store_sop_version(session=session, clock=clock, text=DISPATCH_SOP, source="test", actor=SYSTEM)
    incident_id = make_incident(type="building_collapse", severity="severe", location=NEAR_CENTRE)
    with store.transaction() as session:
        [recommendation] = session.scalars(select(DispatchRecommendation)).all()
        assert recommendation.sop_step_id == "send"
        assert session.scalars(select(Task).where(Task.step_id == "send")).all() == []  # no fallback tasks
        accept_dispatch(session=session, clock=clock, recommendation_id=recommendation.id,
                        decided_by="duty_officer:asha")
    with store.transaction() as session:
        run = session.scalar(select(SopRunRecord).where(SopRunRecord.incident_id == incident_id))
        send = run.state["steps"]["send"]
        assert send["status"] == "done" and len(send["unit_ids"]) == 1
        assert [task.step_id for task in session.get(Incident, incident_id).tasks
                if task.run_id is not None] == ["triage"]
        stand_down(session=session, clock=clock, principal=OFFICER, incident_id=incident_id, reason="drill over")
    with store.transaction() as session:
        unit = session.get(ResponseUnit, uuid.UUID(send["unit_ids"][0]))
        assert unit.status.value == "available"  # a dispatched unit is stood down with the incident
