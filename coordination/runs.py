"""Driving SOP runs in the store: the SOP host (`sop_engine.host`) feeds each event to the pure
runtime and executes the commands it returns through the store's port (`run_commands`).

Everything here happens inside the caller's transaction, so a run's new state, its event log,
its tasks, its timers, its timeline entries and its outbox messages commit together or not at
all. Every event fed to a run is kept in order (`sop_run_events`), so the run can be replayed.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import NotFound
from coordination.run_commands import StoreRunPort
from coordination.sop_catalogue import definition_for, sop_for_incident
from coordination.lifecycles import DeviceCommandStatus
from coordination.store.tables import DeviceCommand, Incident, SopRunRecord
from sop_engine import (
    DeviceAnswered,
    Event,
    IncidentFacts,
    RunStatus,
    SopDefinition,
    SopRun,
    begin_run,
    drive_run,
    new_run,
    run_from_json,
    run_to_json,
)


def incident_facts(incident: Incident) -> IncidentFacts:
    """What an SOP's conditions may read of `incident`."""
    details = dict(incident.details or {})
    details["is_exercise"] = bool(incident.is_exercise)
    return IncidentFacts(incident.incident_type, incident.severity, details)


def start_run(*, session: Session, clock: Clock, incident: Incident, definition: SopDefinition,
              actor: str) -> SopRunRecord:
    """Start `definition` for `incident`, pinned to that version, and execute its first commands."""
    now = clock.now()
    record = SopRunRecord(
        id=uuid.uuid4(), incident_id=incident.id, sop_id=definition.ref.sop_id,
        sop_version=definition.ref.version, status=RunStatus.RUNNING.value, state={}, started_at=now,
    )
    run = new_run(run_id=str(record.id), definition=definition, incident=incident_facts(incident))
    record.state = run_to_json(run)
    session.add(record)
    session.flush()
    audit.record(session, at=now, kind="sop.started", actor=actor, incident_id=incident.id,
                 summary=f"SOP {definition.ref} started: {definition.title}",
                 data={"run_id": str(record.id), "sop_id": definition.ref.sop_id, "version": definition.ref.version})
    port = _port(session=session, clock=clock, record=record, incident=incident, actor=actor, events_recorded=0)
    begin_run(port, run, port.now)
    return record


def start_matching_sop(*, session: Session, clock: Clock, incident: Incident, actor: str) -> SopRunRecord | None:
    """Start the active SOP the incident's type and severity trigger; record it when none does."""
    definition = sop_for_incident(session, incident_type=incident.incident_type, severity=incident.severity)
    if definition is None:
        audit.record(session, at=clock.now(), kind="sop.none_matched", actor="engine", incident_id=incident.id,
                     summary=f"no active SOP is triggered by a {incident.severity.value} {incident.incident_type}; "
                     "the duty officer coordinates by hand")
        return None
    return start_run(session=session, clock=clock, incident=incident, definition=definition, actor=actor)


def load_run(session: Session, record: SopRunRecord) -> SopRun:
    """Rebuild the runtime's view of a stored run, with its pinned definition."""
    return run_from_json(record.state, definition_for=lambda ref: definition_for(session, ref))


def apply_event(*, session: Session, clock: Clock, run_id: uuid.UUID, event: Event, actor: str) -> SopRunRecord:
    """Feed `event` to the run and execute what follows. Locks the run's row on PostgreSQL.

    Raises:
        NotFound: there is no such run.
        SopRuntimeError: the run refuses the event (an unknown option, a step not waiting).
    """
    record = session.get(SopRunRecord, run_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if record is None:
        raise NotFound(f"SOP run {run_id} does not exist")
    incident = session.get(Incident, record.incident_id)
    assert incident is not None
    port = _port(session=session, clock=clock, record=record, incident=incident, actor=actor)
    drive_run(port, load_run(session, record), event, port.now)
    return record


def feed_device_answer(*, session: Session, clock: Clock, command: DeviceCommand) -> None:
    """Tell the run whose step issued `command` that its device answered (a duty officer's own
    command belongs to no run). A run past that step, or finished, takes it and changes nothing."""
    if command.run_id is None or not command.status.is_answered:
        return
    apply_event(session=session, clock=clock, run_id=command.run_id, actor=f"device:{command.device_id}",
                event=DeviceAnswered(command.command_id, command.status is DeviceCommandStatus.CONFIRMED,
                                     command.reason))


def _port(*, session: Session, clock: Clock, record: SopRunRecord, incident: Incident, actor: str,
          events_recorded: int | None = None) -> StoreRunPort:
    """The store's port for one drive of `record` (the SOP host executes the run's commands through it)."""
    return StoreRunPort(
        session=session, clock=clock, now=clock.now(), record=record, incident=incident, actor=actor,
        events_recorded=events_recorded,
        start_spawned=lambda child: start_matching_sop(session=session, clock=clock, incident=child, actor="engine"),
    )
