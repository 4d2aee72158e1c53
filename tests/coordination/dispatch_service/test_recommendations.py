"""Recommendations and their acceptance: plan all open incidents at once, dispatch what the officer accepts."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from coordination import (
    Acknowledge,
    Complete,
    Conflict,
    IncidentStatus,
    InvalidInput,
    InvalidTransition,
    TaskStatus,
    answer_task,
)
from coordination.planner import UnitStatus
from coordination.planner.orders import AssignmentStatus, DemandStatus, RecommendationStatus
from coordination.dispatch_service import (
    ChosenUnit,
    StatusReport,
    accept_recommendation,
    recommend_dispatch,
    release_incident_units,
    report_status,
)
from coordination.store.tables import (
    DispatchAssignment,
    DispatchDemand,
    DispatchRecommendation,
    Incident,
    ResponseUnit,
    SopRunRecord,
    Task,
    TimelineEntry,
    WebhookMessage,
)
from tests.coordination.dispatch_service.conftest import OFFICER, unit_by_code
from tests.coordination.test_duty import stand_in_for_the_shipped_sops

pytestmark = pytest.mark.database

NEAR_CENTRE = {"type": "Point", "coordinates": [77.5946, 12.9716]}


def recommend(store, clock, incident_id, needs, **extra) -> DispatchRecommendation:
    with store.transaction() as session:
        return recommend_dispatch(session=session, clock=clock, incident_id=incident_id, needs=needs,
                                  requested_by=OFFICER, **extra)


def accept(store, clock, recommendation_id, **extra) -> DispatchRecommendation:
    with store.transaction() as session:
        return accept_recommendation(session=session, clock=clock, recommendation_id=recommendation_id,
                                     decided_by=OFFICER, **extra)


def test_a_recommendation_serves_the_request_and_explains_each_unit(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="building_fire", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"fire_engine": 2, "ambulance": 1})
    assert recommendation.status is RecommendationStatus.PROPOSED
    assert recommendation.plan_status == "complete" and recommendation.proven_optimal
    sent = recommendation.plan["assignments"]
    assert sorted(a["need"] for a in sent) == ["ambulance", "fire_engine", "fire_engine"]
    assert all(a["incident_id"] == str(incident_id) and a["eta_s"] > 0 and a["explanation"] for a in sent)
    assert recommendation.baseline_objective is not None and recommendation.objective <= recommendation.baseline_objective
    with store.transaction() as session:
        entry = session.scalar(select(TimelineEntry).where(TimelineEntry.kind == "dispatch.recommended"))
    assert entry.actor == OFFICER and entry.incident_id == incident_id


def test_every_open_incident_is_planned_and_the_older_proposal_is_superseded(store, clock, demo_city, make_incident):
    first = make_incident(type="road_accident", severity="moderate", location=NEAR_CENTRE)
    second = make_incident(type="building_fire", severity="extreme", location=NEAR_CENTRE)
    earlier = recommend(store, clock, first, {"ambulance": 2})
    later = recommend(store, clock, second, {"ambulance": 1, "fire_engine": 1})
    assert {a["incident_id"] for a in later.plan["assignments"]} == {str(first), str(second)}
    assert {d["incident_id"]: d["priority"] for d in later.plan["demands"]} == {str(first): 2, str(second): 8}
    with store.transaction() as session:
        assert session.get(DispatchRecommendation, earlier.id).status is RecommendationStatus.SUPERSEDED
    with pytest.raises(InvalidTransition):
        accept(store, clock, earlier.id)


def test_accepting_dispatches_units_writes_tasks_with_webhooks_and_records_who_decided(
        store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"rescue_boat": 2, "ambulance": 1})
    accepted = accept(store, clock, recommendation.id)
    assert accepted.status is RecommendationStatus.ACCEPTED and accepted.decided_by == OFFICER
    assert len(accepted.plan["dispatched"]) == 3
    units = {order["unit_code"]: unit_by_code(store, order["unit_code"]) for order in accepted.plan["dispatched"]}
    with store.transaction() as session:
        for order in accepted.plan["dispatched"]:
            unit = units[order["unit_code"]]
            assert unit.status is UnitStatus.DISPATCHED and unit.committed_priority == 4
            task = session.get(Task, uuid.UUID(order["task_id"]))
            assert task.agency_id == unit.agency_id and task.run_id is None and task.step_id == "dispatch"
            assert unit.code in task.instruction
            message = session.scalar(select(WebhookMessage).where(WebhookMessage.task_id == task.id))
            body = json.loads(message.body)
            assert body["type"] == "task.created" and body["data"]["dispatch"]["unit_code"] == unit.code
            assert "reporter" not in body["data"]["incident"]
        demand = session.scalar(select(DispatchDemand).where(DispatchDemand.incident_id == incident_id))
        assert demand.status is DemandStatus.MET
        decision = session.scalar(select(TimelineEntry).where(TimelineEntry.kind == "dispatch.accepted"))
        assert decision.actor == OFFICER and decision.incident_id == incident_id
        assert "as recommended" in decision.summary


def test_accepting_twice_dispatches_once(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"rescue_boat": 1})
    accept(store, clock, recommendation.id)
    accept(store, clock, recommendation.id)
    with store.transaction() as session:
        assert len(session.scalars(select(DispatchAssignment)).unique().all()) == 1


def test_the_duty_officer_may_send_other_units_and_the_change_is_recorded(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"ambulance": 1})
    recommended = recommendation.plan["assignments"][0]["unit_code"]
    other = next(code for code in ("EMS-05-1", "EMS-04-1", "EMS-03-2") if code != recommended)
    other_id = unit_by_code(store, other).id
    accepted = accept(store, clock, recommendation.id, note="crew of the nearest one is on a break",
                      assignments=[ChosenUnit(unit_id=other_id, incident_id=incident_id, need="ambulance")])
    assert [d["unit_code"] for d in accepted.plan["dispatched"]] == [other]
    assert accepted.plan["dispatched"][0]["eta_s"] > 0
    assert unit_by_code(store, recommended).status is UnitStatus.AVAILABLE
    with store.transaction() as session:
        decision = session.scalar(select(TimelineEntry).where(TimelineEntry.kind == "dispatch.accepted"))
    assert "1 added, 1 removed" in decision.summary and "break" in decision.summary
    assert decision.data["removed"][0]["unit_id"] == recommendation.plan["assignments"][0]["unit_id"]


@pytest.mark.parametrize("change, field", [
    (lambda ids: ChosenUnit(unit_id=ids["fire"], incident_id=ids["incident"], need="ambulance"), "assignments.0.need"),
    (lambda ids: ChosenUnit(unit_id=ids["ambulance"], incident_id=ids["incident"], need="rescue_boat"),
     "assignments.0.need"),
    (lambda ids: ChosenUnit(unit_id=ids["incident"], incident_id=ids["incident"], need="ambulance"),
     "assignments.0.unit_id"),
    (lambda ids: ChosenUnit(unit_id=ids["ambulance"], incident_id=ids["ambulance"], need="ambulance"),
     "assignments.0.incident_id"),
])
def test_a_changed_plan_is_checked_against_the_open_demands(store, clock, demo_city, make_incident, change, field):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"ambulance": 1})
    ids = {"incident": incident_id, "fire": unit_by_code(store, "FS-01-1").id,
           "ambulance": unit_by_code(store, "EMS-01-1").id}
    with pytest.raises(InvalidInput) as error:
        accept(store, clock, recommendation.id, assignments=[change(ids)])
    assert error.value.field == field


def test_a_unit_that_moved_on_since_the_recommendation_is_not_sent(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"ambulance": 1})
    unit = unit_by_code(store, recommendation.plan["assignments"][0]["unit_code"])
    with store.transaction() as session:
        report_status(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=unit.id,
                      report=StatusReport(status=UnitStatus.OUT_OF_SERVICE))
    with pytest.raises(Conflict):
        accept(store, clock, recommendation.id)
    with store.transaction() as session:
        assert session.get(DispatchRecommendation, recommendation.id).status is RecommendationStatus.PROPOSED


def test_a_unit_stood_down_before_it_arrives_reopens_its_demand(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    accepted = accept(store, clock, recommend(store, clock, incident_id, {"ambulance": 1}).id)
    order = accepted.plan["dispatched"][0]
    with store.transaction() as session:
        report_status(session=session, clock=clock, principal=demo_city["ems-108"],
                      unit_id=uuid.UUID(order["unit_id"]), report=StatusReport(status=UnitStatus.AVAILABLE))
    with store.transaction() as session:
        assignment = session.scalar(select(DispatchAssignment))
        assert assignment.status is AssignmentStatus.STOOD_DOWN
        assert session.get(Task, assignment.task_id).status is TaskStatus.CANCELLED
        assert session.scalar(select(DispatchDemand)).status is DemandStatus.OPEN
    replan = recommend(store, clock, None, {})
    assert [a["need"] for a in replan.plan["assignments"]] == ["ambulance"]


def test_a_unit_that_served_and_left_still_counts_for_its_incident(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    accepted = accept(store, clock, recommend(store, clock, incident_id, {"ambulance": 1}).id)
    unit_id = uuid.UUID(accepted.plan["dispatched"][0]["unit_id"])
    for status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.RETURNING):
        with store.transaction() as session:
            report_status(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=unit_id,
                          report=StatusReport(status=status))
    with store.transaction() as session:
        assert session.scalar(select(DispatchAssignment)).status is AssignmentStatus.DONE
        assert session.scalar(select(DispatchDemand)).status is DemandStatus.MET
    assert recommend(store, clock, None, {}).plan["assignments"] == []


def test_an_extreme_incident_diverts_a_unit_from_a_lesser_one(store, clock, make_agency, make_station, make_unit,
                                                             make_incident):
    make_agency("ems-108", "health", "http://127.0.0.1:9/hooks/ems")
    make_unit(make_station("ems-108", "EMS-A"), "AMB-1")
    minor = make_incident(type="road_accident", severity="moderate", location=NEAR_CENTRE)
    first = accept(store, clock, recommend(store, clock, minor, {"ambulance": 1}).id)
    old_task = first.plan["dispatched"][0]["task_id"]
    extreme = make_incident(type="building_collapse", severity="extreme", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, extreme, {"ambulance": 1})
    [assignment] = recommendation.plan["assignments"]
    assert (assignment["unit_code"], assignment["incident_id"], assignment["preempted"]) == ("AMB-1", str(extreme), True)
    accept(store, clock, recommendation.id)
    assert recommend(store, clock, None, {}).plan["unserved"] == [
        {"incident_id": str(minor), "need": "ambulance", "count": 1, "reason": "no_unit_of_type"}]
    with store.transaction() as session:
        assert session.get(Task, uuid.UUID(old_task)).status is TaskStatus.CANCELLED
        cancelled = session.scalar(select(WebhookMessage).where(WebhookMessage.event_type == "task.cancelled"))
        assert json.loads(cancelled.body)["data"]["task"]["id"] == old_task
        demands = {d.incident_id: d.status for d in session.scalars(select(DispatchDemand))}
        assert demands == {minor: DemandStatus.OPEN, extreme: DemandStatus.MET}
        assert session.scalar(select(TimelineEntry).where(TimelineEntry.kind == "dispatch.diverted")).incident_id == minor


def test_a_lesser_incident_never_diverts_a_dispatched_unit(store, clock, make_agency, make_station, make_unit,
                                                           make_incident):
    make_agency("ems-108", "health")
    make_unit(make_station("ems-108", "EMS-A"), "AMB-1")
    first = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    accept(store, clock, recommend(store, clock, first, {"ambulance": 1}).id)
    second = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, second, {"ambulance": 1})
    assert recommendation.plan["assignments"] == [] and recommendation.plan_status == "partial"


def test_the_sop_step_that_asked_is_kept_on_the_demand_and_the_recommendation(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    with store.transaction() as session:
        run_id = session.scalar(select(SopRunRecord.id).where(SopRunRecord.incident_id == incident_id))
    recommendation = recommend(store, clock, incident_id, {"rescue_boat": 2}, sop_run_id=run_id, sop_step_id="boats")
    assert (recommendation.sop_run_id, recommendation.sop_step_id) == (run_id, "boats")
    accepted = accept(store, clock, recommendation.id)
    with store.transaction() as session:
        tasks = [session.get(Task, uuid.UUID(d["task_id"])) for d in accepted.plan["dispatched"]]
    assert {t.step_id for t in tasks} == {"boats"}
    [confirmation] = accepted.plan["sop_confirmations"]
    assert (confirmation["sop_run_id"], confirmation["sop_step_id"]) == (str(run_id), "boats")
    assert sorted(confirmation["unit_ids"]) == sorted(d["unit_id"] for d in accepted.plan["dispatched"])


def test_a_dispatch_task_is_answered_like_any_other(store, clock, demo_city, make_incident):
    incident_id = make_incident(type="flood", severity="severe", location=NEAR_CENTRE)
    accepted = accept(store, clock, recommend(store, clock, incident_id, {"rescue_boat": 1}).id)
    task_id = uuid.UUID(accepted.plan["dispatched"][0]["task_id"])
    for answer in (Acknowledge(), Complete("boat on scene")):
        with store.transaction() as session:
            answer_task(session=session, clock=clock, principal=demo_city["ddma"], task_id=task_id, answer=answer)
    with store.transaction() as session:
        assert session.get(Task, task_id).status is TaskStatus.COMPLETED


@pytest.mark.parametrize("needs, field", [
    ({"dragon": 1}, "needs.dragon"),
    ({"ambulance": 0}, "needs.ambulance"),
    ({"ambulance": 51}, "needs.ambulance"),
])
def test_needs_must_be_known_unit_types_or_capabilities(store, clock, demo_city, make_incident, needs, field):
    incident_id = make_incident(location=NEAR_CENTRE)
    with pytest.raises(InvalidInput) as error:
        recommend(store, clock, incident_id, needs)
    assert error.value.field == field


def test_units_go_only_to_open_incidents(store, clock, demo_city, make_incident):
    incident_id = make_incident(location=NEAR_CENTRE)
    with store.transaction() as session:
        session.get(Incident, incident_id).status = IncidentStatus.CLOSED
    with pytest.raises(Conflict):
        recommend(store, clock, incident_id, {"ambulance": 1})


def test_a_capability_is_a_need_too(store, clock, demo_city, make_incident):
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)  # no SOP dispatch step competes for the hazmat unit
    incident_id = make_incident(type="chemical_accident", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"hazmat": 1, "als": 1})
    assert sorted((a["need"], a["unit_type"]) for a in recommendation.plan["assignments"]) == [
        ("als", "als_ambulance"), ("hazmat", "hazmat_unit")]


def test_coverage_moves_a_spare_unit_up_to_the_station_a_dispatch_empties(store, clock, make_agency, make_station,
                                                                         make_unit, make_incident):
    """One engine at the central station, two at an eastern one out of reach of the centre.

    Sending the central engine leaves the centre without cover; the plan moves a spare eastern
    engine up to the central station, and accepting it tells the fire agency to move it.
    """
    make_agency("fire-central", "fire", "http://127.0.0.1:9/hooks/fire")
    make_unit(make_station("fire-central", "FS-A"), "E1", "fire_engine")
    east = make_station("fire-central", "FS-B", lon=77.5946 + 0.032)
    make_unit(east, "E2", "fire_engine")
    make_unit(east, "E3", "fire_engine")
    incident_id = make_incident(type="building_fire", severity="severe", location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"fire_engine": 1}, coverage={"fire_engine": 240})
    assert [a["unit_code"] for a in recommendation.plan["assignments"]] == ["E1"]
    [move] = recommendation.plan["move_ups"]
    assert (move["to_station"], move["covers"]) == ("FS-A", ["FS-A"]) and move["unit_code"] in {"E2", "E3"}
    assert recommendation.method == "cp_sat" and recommendation.plan["gap"] == 0.0
    assert recommendation.plan["uncovered"] == []
    accepted = accept(store, clock, recommendation.id)
    [moved] = accepted.plan["moved_up"]
    with store.transaction() as session:
        task = session.get(Task, uuid.UUID(moved["task_id"]))
        assert task.step_id == "move_up" and "FS-A" in task.instruction
    assert unit_by_code(store, moved["unit_code"]).status is UnitStatus.AVAILABLE


def test_coverage_is_kept_by_unit_type(store, clock, demo_city, make_incident):
    incident_id = make_incident(location=NEAR_CENTRE)
    with pytest.raises(InvalidInput) as error:
        recommend(store, clock, incident_id, {"ambulance": 1}, coverage={"als": 300})
    assert error.value.field == "coverage.als"


def test_no_unit_further_than_the_maximum_travel_time_is_recommended(store, clock, demo_city, make_incident):
    incident_id = make_incident(location=NEAR_CENTRE)
    recommendation = recommend(store, clock, incident_id, {"rescue_boat": 4}, max_travel_s=60)
    assert all(a["eta_s"] <= 60 for a in recommendation.plan["assignments"])
    assert recommendation.plan["unserved"][0]["reason"] == "out_of_reach"


def test_a_recommendation_overtaken_by_another_decision_is_a_conflict(store, clock, demo_city, make_incident):
    """Two proposals made at once (two officers' screens): accepting one makes the other out of date."""
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    first = recommend(store, clock, incident_id, {"ambulance": 1})
    with store.transaction() as session:
        session.get(DispatchRecommendation, first.id).status = RecommendationStatus.PROPOSED
        second = recommend_dispatch(session=session, clock=clock, incident_id=None, needs={}, requested_by=OFFICER)
        second_id = second.id
    with store.transaction() as session:
        session.get(DispatchRecommendation, first.id).status = RecommendationStatus.PROPOSED
    accept(store, clock, second_id)
    with pytest.raises(Conflict) as error:
        accept(store, clock, first.id)
    assert "out of date" in str(error.value)


def test_standing_an_incident_down_releases_its_units_and_tells_their_agencies(store, clock, demo_city,
                                                                               make_incident):
    incident_id = make_incident(type="road_accident", severity="severe", location=NEAR_CENTRE)
    accepted = accept(store, clock, recommend(store, clock, incident_id, {"ambulance": 2}).id)
    first, second = (uuid.UUID(d["unit_id"]) for d in accepted.plan["dispatched"])
    for status in (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE):
        with store.transaction() as session:
            report_status(session=session, clock=clock, principal=demo_city["ems-108"], unit_id=first,
                          report=StatusReport(status=status))
    with store.transaction() as session:
        released = release_incident_units(session=session, clock=clock, incident_id=incident_id, actor=OFFICER,
                                          reason="false alarm")
    assert sorted(released) == sorted(d["unit_code"] for d in accepted.plan["dispatched"])
    with store.transaction() as session:
        assert session.get(ResponseUnit, first).status is UnitStatus.RETURNING
        assert session.get(ResponseUnit, second).status is UnitStatus.AVAILABLE
        cancelled = session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == "task.cancelled")).all()
        assert len(cancelled) == 2
        assert session.scalar(select(DispatchDemand)).status is DemandStatus.CANCELLED
    assert recommend(store, clock, None, {}).plan["demands"] == []
