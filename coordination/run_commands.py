"""Executing what an SOP run asks for: tasks, timers, escalations, decisions, notices, dispatch,
spawned incidents and the end of a run.

Called only by `runs`, inside the transaction of the event that produced the commands, so
every row written here commits with the run's new state or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.agencies import escalation_contact
from coordination.assignment import agencies_for_task
from coordination.clock import Clock
from coordination.dispatch_service.sop_steps import recommend_for_sop_step
from coordination.lifecycles import (
    INCIDENT_MOVES,
    NOTICE_APPROVE,
    NOTICE_WITHHOLD,
    TASK_MOVES,
    DutyRequestKind,
    DutyRequestStatus,
    IncidentStatus,
    TaskStatus,
    TimerStatus,
    require_move,
)
from coordination.store.tables import (
    Agency,
    DutyRequest,
    Escalation,
    Incident,
    PublicNotice,
    SopRunRecord,
    Task,
    Timer,
)
from coordination.representations import incident_json
from coordination.webhooks.outbox import enqueue, task_payload
from sop_engine import (
    AgencyRole,
    AskDecision,
    CancelTask,
    CancelTimer,
    Command,
    CreateTask,
    DeadlineMissed,
    Escalate,
    EscalationTarget,
    Event,
    FinishRun,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    RunStatus,
    SendNotice,
    SpawnIncident,
    StartTimer,
    TasksAssigned,
    units_by_owner,
)

AGENCY_RUNGS = (EscalationTarget.AGENCY_SUPERVISOR, EscalationTarget.AGENCY_HEAD)

MAX_CASCADE_DEPTH = 3
"""How many generations of spawned incidents one incident may start. SOPs that spawn each
other (flood -> power outage -> ...) would otherwise loop; three covers every real cascade in
the library with room to spare."""


@dataclass(frozen=True)
class Spawn:
    """A linked incident the run asked for; `runs` starts its SOP after this command."""

    incident: Incident


@dataclass(frozen=True)
class Context:
    session: Session
    clock: Clock
    now: datetime
    record: SopRunRecord
    incident: Incident
    actor: str


def execute(context: Context, command: Command) -> Event | Spawn | None:
    """Carry out one command; return the event it produces for the run, or a spawned incident."""
    if isinstance(command, CreateTask):
        return _create_tasks(context, command)
    if isinstance(command, RequestDispatch):
        return _request_dispatch(context, command)
    if isinstance(command, SpawnIncident):
        return _spawn(context, command)
    if isinstance(command, StartTimer):
        _start_timer(context, command)
    elif isinstance(command, CancelTimer):
        context.session.execute(
            update(Timer)
            .where(Timer.run_id == context.record.id, Timer.key == command.key, Timer.status == TimerStatus.PENDING)
            .values(status=TimerStatus.CANCELLED)
        )
    elif isinstance(command, DeadlineMissed):
        _deadline_missed(context, command)
    elif isinstance(command, Escalate):
        _escalate(context, command)
    elif isinstance(command, CancelTask):
        _cancel_task(context, command)
    elif isinstance(command, AskDecision):
        _ask_duty_officer(context, command.step_id, DutyRequestKind.DECISION, command.question, command.options,
                          command.due_at)
    elif isinstance(command, RequestNoticeApproval):
        _ask_duty_officer(context, command.step_id, DutyRequestKind.PUBLIC_NOTICE, command.message,
                          (NOTICE_APPROVE, NOTICE_WITHHOLD), command.due_at)
    elif isinstance(command, PublishNotice):
        _publish(context, command)
    elif isinstance(command, SendNotice):
        _send_notice(context, command)
    elif isinstance(command, FinishRun):
        _finish(context, command)
    return None


def agencies_for(session: Session, *, role: AgencyRole, incident: Incident, step_id: str, at: datetime
                 ) -> list[Agency]:
    """The active agencies of `role` that take work for the incident (routing's rule, with the
    role's overlap rule; outside every jurisdiction the nearest, and the duty officer is alerted)."""
    return agencies_for_task(session=session, role=role, incident=incident, step_id=step_id, at=at)


def _new_task(context: Context, *, step_id: str, agency: Agency, role: AgencyRole, instruction: str,
              ack_due_at: datetime, complete_due_at: datetime) -> Task:
    now, incident = context.now, context.incident
    task = Task(
        id=uuid.uuid4(), incident_id=incident.id, run_id=context.record.id, step_id=step_id,
        agency_id=agency.id, role=role, instruction=instruction, created_at=now,
        ack_due_at=ack_due_at, complete_due_at=complete_due_at, updated_at=now,
    )
    task.agency = agency
    task.incident = incident
    context.session.add(task)
    context.session.flush()
    audit.record(context.session, at=now, kind="task.created", actor=context.actor, incident_id=incident.id,
                 summary=f"step {step_id}: task for {agency.code}: {instruction}",
                 data={"task_id": str(task.id), "agency": agency.code, "step_id": step_id,
                       "ack_due_at": ack_due_at.isoformat()})
    enqueue(context.session, agency=agency, event_type="task.created", data=task_payload(task), at=now, task=task)
    return task


def _create_tasks(context: Context, command: CreateTask) -> TasksAssigned:
    tasks = [
        _new_task(context, step_id=command.step_id, agency=agency, role=command.role, instruction=command.instruction,
                  ack_due_at=command.ack_due_at, complete_due_at=command.complete_due_at)
        for agency in agencies_for(context.session, role=command.role, incident=context.incident,
                                   step_id=command.step_id, at=context.now)
    ]
    return TasksAssigned(command.step_id, tuple(str(task.id) for task in tasks))


def _request_dispatch(context: Context, command: RequestDispatch) -> TasksAssigned | None:
    """Hand the step to the dispatch service when the fleet has units of every type asked for
    (the run then waits for the duty officer to accept the recommendation: `DispatchConfirmed`);
    otherwise ask the owning agencies by task."""
    recommendation = recommend_for_sop_step(
        session=context.session, clock=context.clock, incident_id=context.incident.id, run_id=context.record.id,
        step_id=command.step_id, units=command.units,
    )
    if recommendation is None:
        return _dispatch_by_tasks(context, command)
    audit.record(context.session, at=context.now, kind="dispatch.requested", actor="engine",
                 incident_id=context.incident.id,
                 summary=f"step {command.step_id}: units recommended for the duty officer to accept "
                 f"({', '.join(f'{count} {unit}' for unit, count in command.units)})",
                 data={"step_id": command.step_id, "recommendation_id": str(recommendation.id)})
    return None


def _dispatch_by_tasks(context: Context, command: RequestDispatch) -> TasksAssigned:
    """Ask each owning agency for its units, by task: the dispatch step's fallback route."""
    tasks = []
    for role, wanted in units_by_owner(command.units).items():
        listed = ", ".join(f"{count} x {unit_type.replace('_', ' ')}" for unit_type, count in wanted)
        instruction = f"Dispatch {listed} to the incident"
        for agency in agencies_for(context.session, role=role, incident=context.incident, step_id=command.step_id,
                                   at=context.now):
            tasks.append(_new_task(context, step_id=command.step_id, agency=agency, role=role, instruction=instruction,
                                   ack_due_at=command.ack_due_at, complete_due_at=command.complete_due_at))
    return TasksAssigned(command.step_id, tuple(str(task.id) for task in tasks))


def _start_timer(context: Context, command: StartTimer) -> None:
    session, run_id = context.session, context.record.id
    timer = session.scalar(select(Timer).where(Timer.run_id == run_id, Timer.key == command.key))
    if timer is None:
        session.add(Timer(run_id=run_id, key=command.key, due_at=command.due_at))
    else:
        timer.due_at = command.due_at
        timer.status = TimerStatus.PENDING
        timer.fired_at = None


def _deadline_missed(context: Context, command: DeadlineMissed) -> None:
    metrics.DEADLINES_FIRED.labels(deadline=command.deadline).inc()
    if command.task_id is not None:
        task = context.session.get(Task, uuid.UUID(command.task_id))
        who = f" by {task.agency.code}" if task is not None else ""
    else:
        who = ""
    audit.record(context.session, at=context.now, kind="deadline.missed", actor="engine",
                 incident_id=context.incident.id,
                 summary=f"{command.deadline} deadline of step {command.step_id} missed{who}",
                 data={"task_id": command.task_id, "step_id": command.step_id, "deadline": command.deadline,
                       "due_at": command.due_at.isoformat()})


def _escalate(context: Context, command: Escalate) -> None:
    session, now, incident = context.session, context.now, context.incident
    task = session.get(Task, uuid.UUID(command.task_id)) if command.task_id else None
    session.add(
        Escalation(incident_id=incident.id, run_id=context.record.id, task_id=task.id if task else None,
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


def _cancel_task(context: Context, command: CancelTask) -> None:
    session, now = context.session, context.now
    task = session.get(Task, uuid.UUID(command.task_id))
    if task is None or not task.status.is_open:
        return
    require_move(f"task {task.id}", task.status, TaskStatus.CANCELLED, TASK_MOVES)
    task.status = TaskStatus.CANCELLED
    task.updated_at = now
    audit.record(session, at=now, kind="task.cancelled", actor=context.actor, incident_id=task.incident_id,
                 summary=f"task of {task.agency.code} for step {task.step_id} cancelled: {command.reason}",
                 data={"task_id": str(task.id), "reason": command.reason})
    enqueue(session, agency=task.agency, event_type="task.cancelled", at=now, task=task,
            data={**task_payload(task), "reason": command.reason})


def _ask_duty_officer(context: Context, step_id: str, kind: DutyRequestKind, text: str, options: tuple[str, ...],
                      due_at: datetime) -> None:
    session, now = context.session, context.now
    request = DutyRequest(
        incident_id=context.incident.id, run_id=context.record.id, step_id=step_id, kind=kind, text=text,
        options=list(options), created_at=now, due_at=due_at,
    )
    session.add(request)
    what = "decision" if kind is DutyRequestKind.DECISION else "approval of a public notice"
    audit.record(session, at=now, kind=f"{kind.value}.requested", actor="engine", incident_id=context.incident.id,
                 summary=f"step {step_id}: {what} needed by {due_at.isoformat()}: {text} ({' / '.join(options)})",
                 data={"step_id": step_id, "options": list(options), "due_at": due_at.isoformat()})


def _publish(context: Context, command: PublishNotice) -> None:
    session, now = context.session, context.now
    session.add(
        PublicNotice(incident_id=context.incident.id, run_id=context.record.id, step_id=command.step_id,
                     message=command.message, approved_by=command.approved_by, published_at=now)
    )
    audit.record(session, at=now, kind="notice.published", actor=command.approved_by, incident_id=context.incident.id,
                 summary=f"public notice published (step {command.step_id}): {command.message}",
                 data={"step_id": command.step_id})


def _send_notice(context: Context, command: SendNotice) -> None:
    session, now, incident = context.session, context.now, context.incident
    told, uncovered = [], []
    for role in command.roles:
        agencies = agencies_for(session, role=role, incident=incident, step_id=command.step_id, at=now)
        if not agencies:
            uncovered.append(role.value)
        for agency in agencies:
            told.append(agency.code)
            enqueue(session, agency=agency, event_type="incident.notice", at=now,
                    data={"incident": incident_json(incident, include_reporter=False), "step_id": command.step_id,
                          "message": command.message})
    missing = f"; no agency covers the incident for {', '.join(uncovered)}" if uncovered else ""
    audit.record(session, at=now, kind="notice.sent", actor="engine", incident_id=incident.id,
                 summary=f"step {command.step_id}: notice to {', '.join(told) or 'nobody'}: {command.message}{missing}",
                 data={"step_id": command.step_id, "agencies": told, "uncovered_roles": uncovered})


def _spawn(context: Context, command: SpawnIncident) -> Spawn | None:
    session, now, parent = context.session, context.now, context.incident
    depth, ancestor = 0, parent
    while ancestor.parent_incident_id is not None and depth <= MAX_CASCADE_DEPTH:
        depth += 1
        ancestor = session.get(Incident, ancestor.parent_incident_id)
    if depth >= MAX_CASCADE_DEPTH:
        audit.record(session, at=now, kind="incident.spawn_refused", actor="engine", incident_id=parent.id,
                     summary=f"step {command.step_id}: a linked {command.incident_type} was not opened: "
                     f"the cascade is already {depth} incidents deep", data={"step_id": command.step_id})
        return None
    # Said the way an officer reads the board: what it follows and when, not an identifier.
    description = (f"Follows the {parent.incident_type.replace('_', ' ')} declared {parent.declared_at:%H:%M} UTC "
                   f"(its step {command.step_id}): {parent.description}")
    child = Incident(
        incident_type=command.incident_type, severity=command.severity, longitude=parent.longitude,
        latitude=parent.latitude, place_name=parent.place_name, description=description[:2000],
        reporter_name="", reporter_phone="", is_exercise=parent.is_exercise, declared_by="engine",
        declared_at=now, details={},
        parent_incident_id=parent.id, spawned_by_step=command.step_id,
    )
    session.add(child)
    session.flush()
    metrics.INCIDENTS_DECLARED.labels(type=command.incident_type).inc()
    audit.record(session, at=now, kind="incident.spawned", actor="engine", incident_id=parent.id,
                 summary=f"step {command.step_id}: linked {command.severity.value} {command.incident_type} "
                 f"incident {child.id} opened",
                 data={"step_id": command.step_id, "child_incident_id": str(child.id)})
    audit.record(session, at=now, kind="incident.declared", actor="engine", incident_id=child.id,
                 summary=f"{command.severity.value} {command.incident_type} declared, linked to incident {parent.id}",
                 data={"type": command.incident_type, "severity": command.severity.value,
                       "location": [parent.longitude, parent.latitude], "parent_incident_id": str(parent.id)})
    return Spawn(child)


def _finish(context: Context, command: FinishRun) -> None:
    session, now, incident = context.session, context.now, context.incident
    session.execute(
        update(DutyRequest)
        .where(DutyRequest.run_id == context.record.id, DutyRequest.status == DutyRequestStatus.OPEN)
        .values(status=DutyRequestStatus.CANCELLED)
    )
    if command.status is RunStatus.COMPLETED:
        if incident.status is IncidentStatus.OPEN:
            require_move(f"incident {incident.id}", incident.status, IncidentStatus.RESOLVED, INCIDENT_MOVES)
            incident.status = IncidentStatus.RESOLVED
            incident.resolved_at = now
        outcome = f" ({command.outcome})" if command.outcome and command.outcome != "resolved" else ""
        audit.record(session, at=now, kind="sop.completed", actor="engine", incident_id=incident.id,
                     summary=f"the SOP is done{outcome}; incident resolved", data={"outcome": command.outcome})
    elif command.status is RunStatus.STOOD_DOWN:
        if incident.status is not IncidentStatus.CLOSED:
            require_move(f"incident {incident.id}", incident.status, IncidentStatus.CLOSED, INCIDENT_MOVES)
            incident.status = IncidentStatus.CLOSED
            incident.closed_at = now
        audit.record(session, at=now, kind="sop.stood_down", actor=context.actor, incident_id=incident.id,
                     summary=f"SOP stood down: {command.outcome}; open tasks cancelled; incident closed",
                     data={"reason": command.outcome})
    else:
        audit.record(session, at=now, kind="sop.incomplete", actor="engine", incident_id=incident.id,
                     summary=f"the SOP cannot go further; failed or blocked steps: {', '.join(command.failed_steps)}",
                     data={"failed_steps": list(command.failed_steps)})
