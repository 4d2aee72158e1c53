"""Agencies answer their tasks; each answer is idempotent and advances the SOP run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import (
    Acknowledge,
    Complete,
    IncidentStatus,
    InvalidTransition,
    NotFound,
    Principal,
    Reject,
    ReportProgress,
    Role,
    TaskStatus,
    answer_task,
)
from coordination.store.tables import Incident, Task, TimelineEntry

pytestmark = pytest.mark.database


@pytest.fixture
def gas_leak(store, make_agency, make_incident):
    """A gas leak with its agencies: returns (incident id, {code: principal})."""
    agencies = {}
    for code, kind in (("city-gas", "gas"), ("police-central", "police"), ("fire-central", "fire")):
        agency_id, _token, _secret = make_agency(code, kind)
        agencies[code] = Principal(token_id=None, name=code, role=Role.AGENCY, agency_id=agency_id)
    return make_incident(type="gas_leak", severity="moderate"), agencies


def task_of(store, incident_id, step_id):
    with store.transaction() as session:
        return session.scalar(select(Task).where(Task.incident_id == incident_id, Task.step_id == step_id))


def answer(store, clock, principal, task_id, what):
    with store.transaction() as session:
        task = answer_task(session=session, clock=clock, principal=principal, task_id=task_id, answer=what)
        return task.status, task.updated_at


def test_acknowledging_twice_changes_nothing(store, clock, gas_leak):
    incident_id, agencies = gas_leak
    task = task_of(store, incident_id, "shut_valve")
    first = answer(store, clock, agencies["city-gas"], task.id, Acknowledge())
    clock.advance(seconds=30)
    assert answer(store, clock, agencies["city-gas"], task.id, Acknowledge()) == first
    with store.transaction() as session:
        acks = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "task.acknowledged")).all()
    assert len(acks) == 1


def test_another_agencys_task_is_invisible(store, clock, gas_leak):
    incident_id, agencies = gas_leak
    task = task_of(store, incident_id, "shut_valve")
    with pytest.raises(NotFound):
        answer(store, clock, agencies["police-central"], task.id, Acknowledge())


def test_progress_needs_an_acknowledged_task(store, clock, gas_leak):
    incident_id, agencies = gas_leak
    task = task_of(store, incident_id, "shut_valve")
    with pytest.raises(InvalidTransition, match="cannot go from queued to in_progress"):
        answer(store, clock, agencies["city-gas"], task.id, ReportProgress("valve half shut", 50))


def test_a_rejected_task_cannot_be_completed(store, clock, gas_leak):
    incident_id, agencies = gas_leak
    task = task_of(store, incident_id, "standby")
    answer(store, clock, agencies["fire-central"], task.id, Reject("no foam tender free"))
    with pytest.raises(InvalidTransition, match="cannot go from rejected to completed"):
        answer(store, clock, agencies["fire-central"], task.id, Complete())


def test_completing_the_first_steps_creates_the_next_and_finishing_resolves_the_incident(store, clock, gas_leak):
    incident_id, agencies = gas_leak
    for step, code in (("shut_valve", "city-gas"), ("evacuate", "police-central"), ("standby", "fire-central")):
        task = task_of(store, incident_id, step)
        answer(store, clock, agencies[code], task.id, Acknowledge())
        answer(store, clock, agencies[code], task.id, ReportProgress("on it", 40))
        clock.advance(seconds=20)
        assert answer(store, clock, agencies[code], task.id, Complete("done"))[0] is TaskStatus.COMPLETED
        if step == "shut_valve":
            assert task_of(store, incident_id, "repair") is not None
    repair = task_of(store, incident_id, "repair")
    answer(store, clock, agencies["city-gas"], repair.id, Complete("line purged"))
    with store.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status is IncidentStatus.RESOLVED
        assert incident.runs[0].status == "completed"
        assert incident.resolved_at == clock.now()
