"""Driving SOP runs: feed an event to the pure runtime, execute the commands it returns.

Everything here happens inside the caller's transaction, so a run's new state, its event log,
its tasks, its timers, its timeline entries and its outbox messages commit together or not at
all. Every event fed to a run is kept in order (`sop_run_events`), so the run can be replayed.
"""

from __future__ import annotations

import uuid
from collections import deque

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import NotFound
from coordination.run_commands import Context, Spawn, execute
from coordination.sop_catalogue import definition_for, sop_for_incident
from coordination.store.tables import Incident, SopRunEvent, SopRunRecord
from sop_engine import (
    Event,
    IncidentFacts,
    RunStarted,
    RunStatus,
    SopDefinition,
    SopRun,
    advance,
    event_to_json,
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
    _drive(session=session, clock=clock, record=record, run=run, incident=incident, event=RunStarted(run.incident),
           actor=actor)
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
    _drive(session=session, clock=clock, record=record, run=load_run(session, record), incident=incident,
           event=event, actor=actor)
    return record


def _drive(*, session: Session, clock: Clock, record: SopRunRecord, run: SopRun, incident: Incident, event: Event,
           actor: str) -> None:
    now = clock.now()
    context = Context(session=session, clock=clock, now=now, record=record, incident=incident, actor=actor)
    seq = session.scalar(select(func.max(SopRunEvent.seq)).where(SopRunEvent.run_id == record.id)) or 0
    pending: deque[Event] = deque([event])
    spawned: list[Incident] = []
    while pending:
        next_event = pending.popleft()
        seq += 1
        session.add(SopRunEvent(run_id=record.id, seq=seq, at=now, actor=actor, event=event_to_json(next_event)))
        run, commands = advance(run, next_event, now)
        for command in commands:
            outcome = execute(context, command)
            if isinstance(outcome, Spawn):
                spawned.append(outcome.incident)
            elif outcome is not None:
                pending.append(outcome)
    record.state = run_to_json(run)
    record.status = run.status.value
    record.finished_at = run.finished_at
    for child in spawned:
        start_matching_sop(session=session, clock=clock, incident=child, actor="engine")
