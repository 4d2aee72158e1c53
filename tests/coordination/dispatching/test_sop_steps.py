"""An SOP dispatch step asks the dispatch service when the fleet has the units, else falls back to tasks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination.dispatching import recommend_for_sop_step
from coordination.store.tables import SopRunRecord

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
