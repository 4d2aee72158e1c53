"""Driving SOP runs: feed an event to the pure runtime, execute the commands it returns.

Everything here happens inside the caller's transaction, so a run's new state, its tasks, its
timers, its timeline entries and its outbox messages commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections import deque
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.agencies import escalation_contact
from coordination.assignment import agencies_for_task
from coordination.clock import Clock
from coordination.errors import NotFound
from coordination.lifecycles import INCIDENT_MOVES, IncidentStatus, TimerStatus, require_move
from coordination.sop_catalogue import definition_for
from coordination.store.tables import Escalation, Incident, SopRunRecord, Task, Timer
from coordination.webhooks.outbox import enqueue, task_payload
from sop_engine import (
    CancelTimer,
    Command,
    CreateTask,
    DeadlineMissed,
    Escalate,
    EscalationTarget,
    Event,
    FinishRun,
    IncidentFacts,
    RunStarted,
    RunStatus,
    SopDefinition,
    SopRun,
    StartTimer,
    TasksAssigned,
    advance,
    new_run,
    run_from_json,
    run_to_json,
)

AGENCY_RUNGS = (EscalationTarget.AGENCY_SUPERVISOR, EscalationTarget.AGENCY_HEAD)


def start_run(*, session: Session, clock: Clock, incident: Incident, definition: SopDefinition,
              actor: str) -> SopRunRecord:
    """Start `definition` for `incident`, pinned to that version, and execute its first commands."""
    now = clock.now()
    record = SopRunRecord(
        id=uuid.uuid4(), incident_id=incident.id, sop_id=definition.ref.sop_id,
        sop_version=definition.ref.version, status=RunStatus.RUNNING.value, state={}, started_at=now,
    )
    run = new_run(run_id=str(record.id), definition=definition,
                  incident=IncidentFacts(incident.incident_type, incident.severity))
    record.state = run_to_json(run)
    session.add(record)
    session.flush()
    audit.record(session, at=now, kind="sop.started", actor=actor, incident_id=incident.id,
                 summary=f"SOP {definition.ref} started: {definition.title}",
                 data={"run_id": str(record.id), "sop_id": definition.ref.sop_id, "version": definition.ref.version})
    _drive(session=session, clock=clock, record=record, run=run, incident=incident, event=RunStarted(run.incident),
           actor=actor)
    return record


def apply_event(*, session: Session, clock: Clock, run_id: uuid.UUID, event: Event, actor: str) -> SopRunRecord:
    """Feed `event` to the run and execute what follows. Locks the run's row on PostgreSQL."""
    record = session.get(SopRunRecord, run_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if record is None:
        raise NotFound(f"SOP run {run_id} does not exist")
    run = run_from_json(record.state, definition_for=lambda ref: definition_for(session, ref))
    incident = session.get(Incident, record.incident_id)
    assert incident is not None
    _drive(session=session, clock=clock, record=record, run=run, incident=incident, event=event, actor=actor)
    return record


def _drive(*, session: Session, clock: Clock, record: SopRunRecord, run: SopRun, incident: Incident, event: Event,
           actor: str) -> None:
    now = clock.now()
    pending: deque[Event] = deque([event])
    while pending:
        run, commands = advance(run, pending.popleft(), now)
        for command in commands:
            follow_up = _execute(session=session, now=now, record=record, incident=incident, command=command,
                                 actor=actor)
            if follow_up is not None:
                pending.append(follow_up)
    record.state = run_to_json(run)
    record.status = run.status.value
    record.finished_at = run.finished_at


def _execute(*, session: Session, now: datetime, record: SopRunRecord, incident: Incident, command: Command,
             actor: str) -> Event | None:
    if isinstance(command, CreateTask):
        return _create_tasks(session, now, record, incident, command, actor)
    if isinstance(command, StartTimer):
        _start_timer(session, record.id, command)
    elif isinstance(command, CancelTimer):
        session.execute(
            update(Timer)
            .where(Timer.run_id == record.id, Timer.key == command.key, Timer.status == TimerStatus.PENDING)
            .values(status=TimerStatus.CANCELLED)
        )
    elif isinstance(command, DeadlineMissed):
        metrics.DEADLINES_FIRED.labels(deadline=command.deadline).inc()
        task = session.get(Task, uuid.UUID(command.task_id))
        audit.record(session, at=now, kind="deadline.missed", actor="engine", incident_id=incident.id,
                     summary=f"{command.deadline} deadline of step {command.step_id} missed by {task.agency.code}",
                     data={"task_id": command.task_id, "step_id": command.step_id, "deadline": command.deadline,
                           "due_at": command.due_at.isoformat()})
    elif isinstance(command, Escalate):
        _escalate(session, now, record, incident, command)
    elif isinstance(command, FinishRun):
        _finish(session, now, incident, command)
    return None


def _create_tasks(session: Session, now: datetime, record: SopRunRecord, incident: Incident, command: CreateTask,
                  actor: str) -> TasksAssigned:
    chosen = agencies_for_task(session=session, role=command.role, incident=incident, step_id=command.step_id,
                               at=now)
    task_ids = []
    for agency in chosen:
        task = Task(
            id=uuid.uuid4(), incident_id=incident.id, run_id=record.id, step_id=command.step_id,
            agency_id=agency.id, role=command.role, instruction=command.instruction, created_at=now,
            ack_due_at=command.ack_due_at, complete_due_at=command.complete_due_at, updated_at=now,
        )
        task.agency = agency
        task.incident = incident
        session.add(task)
        session.flush()
        audit.record(session, at=now, kind="task.created", actor=actor, incident_id=incident.id,
                     summary=f"step {command.step_id}: task for {agency.code}: {command.instruction}",
                     data={"task_id": str(task.id), "agency": agency.code, "step_id": command.step_id,
                           "ack_due_at": command.ack_due_at.isoformat()})
        enqueue(session, agency=agency, event_type="task.created", data=task_payload(task), at=now, task=task)
        task_ids.append(str(task.id))
    return TasksAssigned(command.step_id, tuple(task_ids))


def _start_timer(session: Session, run_id: uuid.UUID, command: StartTimer) -> None:
    timer = session.scalar(select(Timer).where(Timer.run_id == run_id, Timer.key == command.key))
    if timer is None:
        session.add(Timer(run_id=run_id, key=command.key, due_at=command.due_at))
    else:
        timer.due_at = command.due_at
        timer.status = TimerStatus.PENDING
        timer.fired_at = None


def _escalate(session: Session, now: datetime, record: SopRunRecord, incident: Incident, command: Escalate) -> None:
    task = session.get(Task, uuid.UUID(command.task_id)) if command.task_id else None
    session.add(
        Escalation(incident_id=incident.id, run_id=record.id, task_id=task.id if task else None,
                   step_id=command.step_id, rung=command.rung, target=command.target, reason=command.reason,
                   raised_at=now)
    )
    metrics.ESCALATIONS.labels(target=command.target.value).inc()
    about = f"task of {task.agency.code}" if task else f"step {command.step_id}"
    audit.record(session, at=now, kind="escalation.raised", actor="engine", incident_id=incident.id,
                 summary=f"escalated to {command.target.value} (rung {command.rung + 1}): {about}: {command.reason}",
                 data={"step_id": command.step_id, "task_id": command.task_id, "rung": command.rung,
                       "target": command.target.value})
    if task is not None and command.target in AGENCY_RUNGS:
        enqueue(session, agency=task.agency, event_type="task.escalated", at=now, task=task,
                data={**task_payload(task),
                      "escalation": {"rung": command.rung, "target": command.target.value, "reason": command.reason,
                                     "contact": escalation_contact(task.agency, command.target)}})


def _finish(session: Session, now: datetime, incident: Incident, command: FinishRun) -> None:
    if command.status is RunStatus.COMPLETED:
        if incident.status is IncidentStatus.OPEN:
            require_move(f"incident {incident.id}", incident.status, IncidentStatus.RESOLVED, INCIDENT_MOVES)
            incident.status = IncidentStatus.RESOLVED
            incident.resolved_at = now
        audit.record(session, at=now, kind="sop.completed", actor="engine", incident_id=incident.id,
                     summary="every step of the SOP is done; incident resolved")
    else:
        audit.record(session, at=now, kind="sop.incomplete", actor="engine", incident_id=incident.id,
                     summary=f"the SOP cannot go further; failed or blocked steps: {', '.join(command.failed_steps)}",
                     data={"failed_steps": list(command.failed_steps)})
