"""A duty officer revises an open incident: the fields change, the timeline says what from and to,
the SOP's later steps read the revised facts, and every agency still working the incident is
told by an `incident.updated` webhook. On every database."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from coordination import (
    SYSTEM,
    Complete,
    Conflict,
    IncidentRevision,
    NotFound,
    Principal,
    Role,
    answer_task,
    revise_incident,
    stand_down,
    store_sop_version,
)
from coordination.store.tables import (
    Incident,
    OfficerAlert,
    SopRunEvent,
    SopRunRecord,
    Task,
    TimelineEntry,
    WebhookMessage,
)
from tests.coordination.test_duty import stand_in_for_the_shipped_sops

pytestmark = pytest.mark.database

OFFICER = Principal(token_id=None, name="night-officer", role=Role.DUTY_OFFICER)

SPILL_SOP = """\
id: spill-test
version: 1
title: Chemical spill that evacuates only when severe
trigger: {incident_types: [chemical_accident]}
target: 8h
steps:
  - id: contain
    task: {role: fire, do: "Contain the spill"}
  - id: cordon
    task: {role: police, do: "Cordon the depot"}
  - id: evacuate
    after: [contain]
    when: incident.severity >= severe
    task: {role: police, do: "Evacuate the block downwind"}
"""

NEXT_STREET = {"type": "Point", "coordinates": [77.5956, 12.9716]}
"""About 108 m east of the fire report's point."""


@pytest.fixture
def spill(store, clock, make_agency, make_incident):
    """A moderate chemical spill worked by fire (webhook) and police (webhook); discom has no task."""
    agencies = {}
    for code, kind in (("fire-central", "fire"), ("police-central", "police"), ("discom", "electricity")):
        agency_id, _token, _secret = make_agency(code, kind, webhook_url=f"http://127.0.0.1:9/{code}")
        agencies[code] = Principal(token_id=None, name=code, role=Role.AGENCY, agency_id=agency_id)
    with store.transaction() as session:
        stand_in_for_the_shipped_sops(session)
        store_sop_version(session=session, clock=clock, text=SPILL_SOP, source="test", actor=SYSTEM)
    return make_incident(type="chemical_accident", severity="moderate", place_name="Depot gate"), agencies


def revise(store, clock, incident_id, **fields):
    with store.transaction() as session:
        outcome = revise_incident(session=session, clock=clock, incident_id=incident_id,
                                  revision=IncidentRevision.model_validate(fields), actor=OFFICER)
        return outcome.changes, outcome.agencies_told


def messages(store, event_type):
    with store.transaction() as session:
        found = session.scalars(select(WebhookMessage).where(WebhookMessage.event_type == event_type)
                                .order_by(WebhookMessage.created_at, WebhookMessage.id)).unique().all()
        return [(message.agency.code, json.loads(message.body)) for message in found]


def timeline(store, incident_id, kind):
    with store.transaction() as session:
        return session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident_id,
                                                           TimelineEntry.kind == kind)).all()


def complete(store, clock, principal, incident_id, step_id):
    with store.transaction() as session:
        task = session.scalar(select(Task).where(Task.incident_id == incident_id, Task.step_id == step_id))
        answer_task(session=session, clock=clock, principal=principal, task_id=task.id, answer=Complete())


def test_raising_the_severity_is_recorded_with_before_and_after(store, clock, spill):
    incident_id, _agencies = spill
    clock.advance(minutes=4)
    changes, _told = revise(store, clock, incident_id, severity="severe")
    assert changes == {"severity": {"before": "moderate", "after": "severe"}}
    [entry] = timeline(store, incident_id, "incident.revised")
    assert (entry.actor, entry.summary) == ("duty_officer:night-officer", "revised: severity moderate -> severe")
    assert entry.data["changes"] == changes and entry.at == clock.now()
    with store.transaction() as session:
        assert session.get(Incident, incident_id).severity.value == "severe"


def runs_of(store, incident_id) -> list[str]:
    with store.transaction() as session:
        return list(session.scalars(select(SopRunRecord.sop_id).where(SopRunRecord.incident_id == incident_id)
                                    .order_by(SopRunRecord.started_at, SopRunRecord.sop_id)))


def test_an_incident_no_sop_took_gets_the_one_its_raised_severity_triggers(store, clock, shipped_sops,
                                                                            make_incident):
    # The shipped road-accident SOP starts at moderate: a minor one is coordinated by hand.
    incident_id = make_incident(type="road_accident", severity="minor")
    assert runs_of(store, incident_id) == []
    revise(store, clock, incident_id, severity="moderate")
    assert runs_of(store, incident_id) == ["road-accident"]
    [started] = timeline(store, incident_id, "sop.started")
    assert started.actor == "duty_officer:night-officer"  # the officer's revision started it


def test_an_incident_with_an_sop_keeps_it_and_the_officer_is_told_which_one_now_matches(store, clock,
                                                                                         shipped_sops, make_incident):
    incident_id = make_incident(type="building_fire", severity="severe")
    assert runs_of(store, incident_id) == ["building-fire"]
    revise(store, clock, incident_id, severity="extreme")
    assert runs_of(store, incident_id) == ["building-fire"]  # no second set of tasks for the same work
    with store.transaction() as session:
        [alert] = session.scalars(select(OfficerAlert).where(OfficerAlert.incident_id == incident_id,
                                                             OfficerAlert.kind == "sop.now_matches")).all()
    assert alert.data["sop_id"] == "building-fire-major"
    assert "start it by hand if it is needed beside building-fire" in alert.summary
    revise(store, clock, incident_id, severity="moderate")  # lowered: nothing new matches
    with store.transaction() as session:
        assert len(session.scalars(select(OfficerAlert).where(OfficerAlert.kind == "sop.now_matches")).all()) == 1


def test_a_later_step_reads_the_raised_severity_and_one_already_started_stands(store, clock, spill):
    """`evacuate` (when: incident.severity >= severe) waits for `contain`: a spill raised to
    severe while it is being contained is evacuated once contained."""
    incident_id, agencies = spill
    revise(store, clock, incident_id, severity="severe")
    with store.transaction() as session:
        [run] = session.scalars(select(SopRunRecord)).all()
        assert run.state["incident"]["severity"] == "severe"
        events = session.scalars(select(SopRunEvent.event).where(SopRunEvent.run_id == run.id)
                                 .order_by(SopRunEvent.seq)).all()
        assert events[-1] == {"type": "incident_revised", "incident": {
            "type": "chemical_accident", "severity": "severe", "details": {"is_exercise": False}}}
    complete(store, clock, agencies["fire-central"], incident_id, "contain")
    with store.transaction() as session:
        evacuate = session.scalar(select(Task).where(Task.step_id == "evacuate"))
        assert evacuate is not None and evacuate.agency.code == "police-central"


def test_without_the_revision_the_moderate_spill_skips_the_evacuation(store, clock, spill):
    incident_id, agencies = spill
    complete(store, clock, agencies["fire-central"], incident_id, "contain")
    with store.transaction() as session:
        assert session.scalar(select(Task).where(Task.step_id == "evacuate")) is None


def test_each_agency_with_an_open_task_is_told_once_with_the_new_fields_and_what_changed(store, clock, spill):
    incident_id, agencies = spill
    complete(store, clock, agencies["fire-central"], incident_id, "contain")  # fire has no open task now
    changes, told = revise(store, clock, incident_id, severity="severe", location=NEXT_STREET,
                           place_name="Depot, north gate")
    assert told == ("police-central",)
    [(code, body)] = messages(store, "incident.updated")
    assert code == "police-central"
    data = body["data"]
    assert data["incident"]["severity"] == "severe" and data["incident"]["place_name"] == "Depot, north gate"
    assert data["incident"]["location"] == NEXT_STREET and "reporter" not in data["incident"]
    assert data["changes"] == changes
    assert changes["location"]["before"] == {"type": "Point", "coordinates": [77.5946, 12.9716]}
    assert changes["location"]["distance_m"] == pytest.approx(108.4, abs=0.5)
    assert changes["place_name"] == {"before": "Depot gate", "after": "Depot, north gate"}
    with store.transaction() as session:
        police_tasks = session.scalars(select(Task.id).where(Task.incident_id == incident_id,
                                                             Task.step_id.in_(["cordon"]))).all()
    assert data["task_ids"] == [str(task_id) for task_id in police_tasks]


def test_a_moved_incident_keeps_the_agencies_its_tasks_already_have(store, clock, spill):
    incident_id, _agencies = spill
    with store.transaction() as session:
        before = {task.step_id: task.agency.code for task in session.get(Incident, incident_id).tasks}
    revise(store, clock, incident_id, location={"type": "Point", "coordinates": [78.5, 13.5]})
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert {task.step_id: task.agency.code for task in incident.tasks} == before
        assert (incident.longitude, incident.latitude) == (78.5, 13.5)
    [entry] = timeline(store, incident_id, "incident.revised")
    assert entry.summary.startswith("revised: moved ") and entry.summary.endswith(" m")


def test_a_revision_that_changes_nothing_records_and_sends_nothing(store, clock, spill):
    incident_id, _agencies = spill
    changes, told = revise(store, clock, incident_id, severity="moderate", place_name="  Depot gate ",
                           location={"type": "Point", "coordinates": [77.5946, 12.9716]},
                           description="Smoke from the third floor")
    assert (changes, told) == ({}, ())
    assert timeline(store, incident_id, "incident.revised") == []
    assert messages(store, "incident.updated") == []
    with store.transaction() as session:
        [run] = session.scalars(select(SopRunRecord)).all()
        kinds = [event["type"] for event in session.scalars(select(SopRunEvent.event)
                                                            .where(SopRunEvent.run_id == run.id))]
        assert "incident_revised" not in kinds


def test_a_place_name_sent_blank_clears_it_and_a_description_change_leaves_the_run_alone(store, clock, spill):
    incident_id, _agencies = spill
    changes, _told = revise(store, clock, incident_id, place_name=" ", description="Tanker leaking, not the depot")
    assert changes["place_name"] == {"before": "Depot gate", "after": None}
    assert changes["description"]["after"] == "Tanker leaking, not the depot"
    [entry] = timeline(store, incident_id, "incident.revised")
    assert entry.summary == "revised: place Depot gate -> (none); description rewritten"
    with store.transaction() as session:
        [run] = session.scalars(select(SopRunRecord)).all()
        assert "incident_revised" not in [event["type"] for event in session.scalars(
            select(SopRunEvent.event).where(SopRunEvent.run_id == run.id))]  # its facts did not change


def test_only_an_open_incident_can_be_revised(store, clock, spill):
    incident_id, _agencies = spill
    with store.transaction() as session:
        stand_down(session=session, clock=clock, principal=OFFICER, incident_id=incident_id, reason="false alarm")
    with pytest.raises(Conflict, match="closed: only an open incident can be revised"):
        revise(store, clock, incident_id, severity="severe")


def test_an_unknown_incident_is_not_found(store, clock, spill):
    with pytest.raises(NotFound):
        revise(store, clock, uuid.UUID("00000000-0000-4000-8000-000000000000"), severity="severe")


@pytest.mark.parametrize("fields, field", [
    ({}, ""),
    ({"severity": "apocalyptic"}, "severity"),
    ({"severity": None}, "severity"),
    ({"location": {"type": "Point", "coordinates": [77.5, 91]}}, "location.coordinates.1"),
    ({"place_name": "x" * 201}, "place_name"),
    ({"description": "x" * 4001}, "description"),
    ({"type": "flood"}, "type"),
])
def test_a_revision_is_validated_as_a_report_is(fields, field):
    with pytest.raises(ValidationError) as refused:
        IncidentRevision.model_validate(fields)
    assert ".".join(str(part) for part in refused.value.errors()[0]["loc"]) == field
