"""Declaring an incident starts its SOP, with everything committed in one transaction."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from coordination import SYSTEM, declare_incident
from coordination.store.tables import Incident, SopRunRecord, Task, TimelineEntry, WebhookMessage
from tests.conftest import incident_report

pytestmark = pytest.mark.database


def count(store, table) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_declaring_starts_the_matching_sop_and_tasks_each_first_step_agency(store, make_agency, make_incident,
                                                                            receiver):
    make_agency("fire-central", "fire", receiver.url())
    make_agency("police-central", "police", receiver.url())
    make_agency("discom", "electricity")
    incident_id = make_incident(type="building_fire", severity="severe")
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        [run] = incident.runs
        assert (run.sop_id, run.sop_version, run.status) == ("building-fire", 1, "running")
        tasks = {task.step_id: task.agency.code for task in incident.tasks}
        assert tasks == {"fire_response": "fire-central", "cordon": "police-central", "isolate_supply": "discom"}
        messages = session.scalars(select(WebhookMessage)).unique().all()
        # The electricity company has no webhook endpoint: it reads its tasks through the API.
        assert sorted(message.agency.code for message in messages) == ["fire-central", "police-central"]
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.incident_id == incident_id)).all()
        assert kinds[:2] == ["incident.declared", "sop.started"]


def test_a_failure_in_the_transaction_leaves_no_trace(store, make_agency, clock, receiver):
    """Incident, run, tasks, timeline and outbox commit together or not at all."""
    make_agency("fire-central", "fire", receiver.url())
    before = {table: count(store, table) for table in (Incident, SopRunRecord, Task, TimelineEntry, WebhookMessage)}
    with pytest.raises(RuntimeError, match="power cut"):
        with store.transaction() as session:
            declare_incident(session=session, clock=clock, report=incident_report(), actor=SYSTEM)
            raise RuntimeError("power cut mid-transaction")
    after = {table: count(store, table) for table in before}
    assert after == before


def test_an_incident_no_sop_covers_is_recorded_for_the_duty_officer(store, shipped_sops, make_incident):
    incident_id = make_incident(type="heat_wave", severity="moderate")
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident.runs == []
        kinds = session.scalars(select(TimelineEntry.kind).where(TimelineEntry.incident_id == incident_id)).all()
        assert kinds == ["incident.declared", "sop.none_matched"]


def test_a_role_with_no_agency_escalates_to_the_duty_officer(store, make_agency, make_incident):
    make_agency("fire-central", "fire")
    make_agency("discom", "electricity")
    incident_id = make_incident()
    with store.transaction() as session:
        summaries = session.scalars(
            select(TimelineEntry.summary).where(TimelineEntry.kind == "escalation.raised",
                                                TimelineEntry.incident_id == incident_id)
        ).all()
    assert summaries == ["escalated to duty_officer (rung 1): step cordon: no agency of role police covers the incident"]


def test_an_agency_whose_jurisdiction_covers_the_point_is_preferred(store, make_agency, make_incident):
    square = lambda x0, y0: {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1],  # noqa: E731
                                                                  [x0, y0 + 1], [x0, y0]]]}
    make_agency("fire-citywide", "fire")
    make_agency("fire-north", "fire", jurisdiction=square(77.0, 13.0))
    make_agency("fire-south", "fire", jurisdiction=square(77.0, 12.0))
    incident_id = make_incident(location={"type": "Point", "coordinates": [77.5, 12.5]})
    with store.transaction() as session:
        [task] = [task for task in session.get(Incident, incident_id).tasks if task.role.value == "fire"]
        assert task.agency.code == "fire-south"


def test_the_place_in_words_is_kept_beside_the_point_trimmed_and_blank_means_none(store, shipped_sops,
                                                                                 make_incident):
    named = make_incident(place_name="  MG Road junction, near the metro pillar 62 ")
    blank = make_incident(place_name="   ")
    unnamed = make_incident()
    with store.transaction() as session:
        assert session.get(Incident, named).place_name == "MG Road junction, near the metro pillar 62"
        assert session.get(Incident, blank).place_name is None
        assert session.get(Incident, unnamed).place_name is None
        declared = session.scalar(select(TimelineEntry).where(TimelineEntry.incident_id == named,
                                                              TimelineEntry.kind == "incident.declared"))
        assert declared.data["place_name"] == "MG Road junction, near the metro pillar 62"


def test_a_place_name_longer_than_200_characters_is_refused_naming_the_field():
    assert incident_report(place_name="x" * 200 + "   ").place_name == "x" * 200  # spaces around never count
    with pytest.raises(ValidationError) as caught:
        incident_report(place_name="x" * 201)
    [error] = caught.value.errors()
    assert (error["loc"], error["type"]) == (("place_name",), "string_too_long")
