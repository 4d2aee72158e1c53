"""The duty officer's part in a run, through the service on every database: decisions, public
notices, agency notices, dispatch by task, spawned incidents, end steps, stand-downs, SOP
versions, and replaying a run from its stored events."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from coordination import (
    SYSTEM,
    Conflict,
    Forbidden,
    InvalidInput,
    Principal,
    Role,
    activate_sop_version,
    answer_request,
    fire_due_timers,
    retire_sop_version,
    stand_down,
    store_sop_version,
)
from coordination.lifecycles import DutyRequestStatus, IncidentStatus, TaskStatus
from coordination.runs import incident_facts
from coordination.store.tables import (
    DutyRequest,
    Escalation,
    Incident,
    PublicNotice,
    SopRunEvent,
    SopRunRecord,
    SopVersion,
    Task,
    TimelineEntry,
    WebhookMessage,
)
from sop_engine import SopRef, event_from_json, load_sop_text, replay, run_from_json, run_to_json

pytestmark = pytest.mark.database

OFFICER = Principal(token_id=None, name="night-officer", role=Role.DUTY_OFFICER)
VIEWER = Principal(token_id=None, name="screen", role=Role.VIEWER)

CHEMICAL_SOP = """\
id: chemical-test
version: 1
title: Chemical spill with every kind of step
trigger: {incident_types: [chemical_accident]}
target: 8h
steps:
  - id: contain
    task: {role: fire, do: "Contain the spill"}
  - id: brief
    notify: {to: [police], message: "Chemical spill: keep the public back"}
  - id: verify
    decision: {question: "Is it a real spill?", options: [spill, false_alarm], within: 10m}
  - id: close_false_alarm
    after: [verify == false_alarm]
    end: {outcome: false_alarm}
  - id: warn_public
    after: [verify == spill]
    notify: {to: public, message: "Keep windows shut near the depot", within: 5m}
  - id: send_help
    after: [verify == spill]
    dispatch: {rescue_team: 1, ambulance: 2}
  - id: power_cut
    after: [verify == spill]
    spawn: {incident_type: power_outage, severity: moderate}
"""

OUTAGE_SOP = """\
id: outage-test
version: 1
title: Power outage
trigger: {incident_types: [power_outage]}
target: 2h
steps:
  - id: restore
    task: {role: electricity, do: "Restore supply"}
"""


def stand_in_for_the_shipped_sops(session) -> None:
    """Deactivate the stored (shipped) SOPs: the library answers chemical accidents and power
    outages too, and these tests are about the test SOPs alone."""
    session.execute(update(SopVersion).values(is_active=False))


@pytest.fixture
def chemical(store, clock, make_agency):
    for code, kind in [("fire-central", "fire"), ("police-central", "police"), ("ndrf", "disaster_management"),
                       ("ems", "health"), ("discom", "electricity")]:
        make_agency(code, kind, webhook_url=f"http://127.0.0.1:9/{code}")
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
        for text in (CHEMICAL_SOP, OUTAGE_SOP):
            store_sop_version(session=session, clock=clock, text=text, source="test", actor=SYSTEM)


def request_for(session, incident_id, step_id) -> DutyRequest:
    return session.scalar(select(DutyRequest).where(DutyRequest.incident_id == incident_id,
                                                    DutyRequest.step_id == step_id))


def decide(store, clock, incident_id, step_id, choice, principal=OFFICER, note=""):
    with store.transaction() as session:
        request = request_for(session, incident_id, step_id)
        answer_request(session=session, clock=clock, principal=principal, request_id=request.id, choice=choice,
                       note=note)


def webhooks(session, event_type):
    return session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == event_type)).all()


def test_a_decision_waits_for_the_duty_officer_and_its_option_starts_the_branch(store, clock, chemical,
                                                                               make_incident):
    incident_id = make_incident(type="chemical_accident", place_name="Peenya Industrial Area, phase 2")
    with store.transaction() as session:
        request = request_for(session, incident_id, "verify")
        assert (request.status, request.options) == (DutyRequestStatus.OPEN, ["spill", "false_alarm"])
        assert [notice.agency.code for notice in webhooks(session, "incident.notice")] == ["police-central"]
    clock.advance(minutes=3)
    decide(store, clock, incident_id, "verify", "spill")
    with store.transaction() as session:
        tasks = session.scalars(select(Task).where(Task.step_id == "send_help").order_by(Task.role)).all()
        assert [(task.agency.code, task.instruction) for task in tasks] == [
            ("ndrf", "Dispatch 1 x rescue team to the incident"),
            ("ems", "Dispatch 2 x ambulance to the incident"),
        ]
        assert request_for(session, incident_id, "warn_public").status is DutyRequestStatus.OPEN
        [child] = session.scalars(select(Incident).where(Incident.parent_incident_id == incident_id)).all()
        assert (child.incident_type, child.severity.value, child.spawned_by_step) == (
            "power_outage", "moderate", "power_cut")
        assert child.place_name == "Peenya Industrial Area, phase 2"  # the same place, said the same way
        assert [task.agency.code for task in child.tasks] == ["discom"]
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.incident_id == incident_id)).all()
        assert "decision.answered" in kinds and "incident.spawned" in kinds


def test_the_same_answer_twice_changes_nothing_and_another_answer_is_a_conflict(store, clock, chemical,
                                                                               make_incident):
    incident_id = make_incident(type="chemical_accident")
    decide(store, clock, incident_id, "verify", "spill")
    decide(store, clock, incident_id, "verify", "spill")
    with pytest.raises(Conflict, match="already answered 'spill' by duty_officer:night-officer"):
        decide(store, clock, incident_id, "verify", "false_alarm")
    with store.transaction() as session:
        assert len(session.scalars(select(Incident).where(Incident.parent_incident_id == incident_id)).all()) == 1


def test_an_option_that_does_not_exist_names_the_field(store, clock, chemical, make_incident):
    incident_id = make_incident(type="chemical_accident")
    with pytest.raises(InvalidInput) as raised:
        decide(store, clock, incident_id, "verify", "maybe")
    assert raised.value.field == "choice"


def test_only_a_duty_officer_or_administrator_decides(store, clock, chemical, make_incident):
    incident_id = make_incident(type="chemical_accident")
    with pytest.raises(Forbidden):
        decide(store, clock, incident_id, "verify", "spill", principal=VIEWER)


def test_an_approved_public_notice_is_published_and_a_withheld_one_is_not(store, clock, chemical, make_incident):
    first = make_incident(type="chemical_accident")
    second = make_incident(type="chemical_accident")
    for incident_id in (first, second):
        decide(store, clock, incident_id, "verify", "spill")
    decide(store, clock, first, "warn_public", "approve")
    decide(store, clock, second, "warn_public", "withhold", note="wind has changed")
    with store.transaction() as session:
        notices = session.scalars(select(PublicNotice)).all()
        assert [(notice.incident_id, notice.message, notice.approved_by) for notice in notices] == [
            (first, "Keep windows shut near the depot", "duty_officer:night-officer")]


def test_a_decision_nobody_takes_escalates_to_the_duty_officer_then_the_district_authority(store, clock, chemical,
                                                                                          make_incident):
    make_incident(type="chemical_accident")
    clock.advance(minutes=10)
    fire_due_timers(store=store, clock=clock)
    clock.advance(minutes=10)
    fire_due_timers(store=store, clock=clock)
    with store.transaction() as session:
        raised = session.scalars(select(Escalation).where(Escalation.step_id == "verify")
                                 .order_by(Escalation.raised_at)).all()
        assert [(escalation.target.value, escalation.reason) for escalation in raised] == [
            ("duty_officer", "decision not given within 10m"),
            ("district_authority", "decision still overdue"),
        ]


def test_an_end_step_resolves_the_incident_and_cancels_open_tasks_with_a_webhook(store, clock, chemical,
                                                                                make_incident):
    incident_id = make_incident(type="chemical_accident")
    decide(store, clock, incident_id, "verify", "false_alarm")
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status is IncidentStatus.RESOLVED
        [task] = incident.tasks
        assert task.status is TaskStatus.CANCELLED
        [cancelled] = webhooks(session, "task.cancelled")
        assert cancelled.task_id == task.id and "false_alarm" in cancelled.body


def test_standing_down_cancels_open_tasks_and_decisions_and_closes_the_incident(store, clock, chemical,
                                                                               make_incident):
    incident_id = make_incident(type="chemical_accident")
    decide(store, clock, incident_id, "verify", "spill")
    with store.transaction() as session:
        stand_down(session=session, clock=clock, principal=OFFICER, incident_id=incident_id,
                   reason="tanker was empty")
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status is IncidentStatus.CLOSED
        assert {task.status for task in incident.tasks} == {TaskStatus.CANCELLED}
        assert len(webhooks(session, "task.cancelled")) == len(incident.tasks) == 3
        assert request_for(session, incident_id, "warn_public").status is DutyRequestStatus.CANCELLED
        [run] = incident.runs
        assert run.status == "stood_down" and run.state["timers"] == {}
    with store.transaction() as session, pytest.raises(Conflict, match="already closed"):
        stand_down(session=session, clock=clock, principal=OFFICER, incident_id=incident_id, reason="again")


def test_a_run_replayed_from_its_stored_events_is_the_stored_run(store, clock, chemical, make_incident):
    incident_id = make_incident(type="chemical_accident")
    clock.advance(minutes=11)
    fire_due_timers(store=store, clock=clock)
    decide(store, clock, incident_id, "verify", "spill")
    decide(store, clock, incident_id, "warn_public", "approve")
    with store.transaction() as session:
        [record] = session.scalars(select(SopRunRecord).where(SopRunRecord.incident_id == incident_id)).all()
        definition = load_sop_text(CHEMICAL_SOP, source="test")
        events = session.scalars(select(SopRunEvent).where(SopRunEvent.run_id == record.id)
                                 .order_by(SopRunEvent.seq)).all()
        assert [event.event["type"] for event in events][:3] == ["run_started", "tasks_assigned", "timer_fired"]
        replayed = replay(run_id=str(record.id), definition=definition,
                          incident=incident_facts(session.get(Incident, incident_id)),
                          events=[(event.at, event_from_json(event.event)) for event in events])
        assert run_to_json(replayed) == record.state
        assert replayed == run_from_json(record.state, definition_for=lambda ref: definition)


def test_a_new_version_never_changes_a_running_incident_and_versions_can_be_retired(store, clock, chemical,
                                                                                   make_incident):
    first = make_incident(type="power_outage")
    with store.transaction() as session:
        store_sop_version(session=session, clock=clock, actor=SYSTEM, source="test",
                          text=OUTAGE_SOP.replace("version: 1", "version: 2").replace("Restore supply", "Patrol"))
    second = make_incident(type="power_outage")
    with store.transaction() as session:
        runs = {run.incident_id: SopRef(run.sop_id, run.sop_version) for run in session.scalars(select(SopRunRecord))}
        assert runs[first] == SopRef("outage-test", 1) and runs[second] == SopRef("outage-test", 2)
        assert [task.instruction for task in session.get(Incident, first).tasks] == ["Restore supply"]
        activate_sop_version(session=session, clock=clock, sop_id="outage-test", version=1, actor=SYSTEM)
    third = make_incident(type="power_outage")
    with store.transaction() as session:
        assert [task.instruction for task in session.get(Incident, third).tasks] == ["Restore supply"]
        retire_sop_version(session=session, clock=clock, sop_id="outage-test", version=1, actor=SYSTEM)
    fourth = make_incident(type="power_outage")
    with store.transaction() as session:
        assert session.get(Incident, fourth).runs == []
        with pytest.raises(Conflict, match="retired"):
            activate_sop_version(session=session, clock=clock, sop_id="outage-test", version=1, actor=SYSTEM)
        activate_sop_version(session=session, clock=clock, sop_id="outage-test", version=2, actor=SYSTEM)
