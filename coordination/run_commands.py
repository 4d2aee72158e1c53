"""The store's side of an SOP run: the `RunPort` that executes a run's commands over the database.

Tasks, timers, escalations, requests to the duty officer, notices, dispatch, spawned incidents
and the end of a run become rows here, with their timeline entries and outbox messages. The
loop that calls it is `sop_engine.host`, which the drill's memory world runs too; `runs` builds
one port per drive, inside the transaction of the event, so every row written here commits with
the run's new state or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.agencies import escalation_contact
from coordination.assignment import agencies_for_task, routing_decision
from coordination.clock import Clock
from coordination.devices import devices_for_command, issue_commands
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
from coordination.representations import incident_json
from coordination.store.tables import (
    Agency,
    DutyRequest,
    Escalation,
    Incident,
    PublicNotice,
    SopRunEvent,
    SopRunRecord,
    Task,
    Timer,
)
from coordination.webhooks.outbox import enqueue, task_payload
from sop_engine import (
    AgencyRole,
    AskDecision,
    CancelTask,
    CommandDevices,
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
    SopRun,
    SpawnIncident,
    event_to_json,
    run_to_json,
)

AGENCY_RUNGS = (EscalationTarget.AGENCY_SUPERVISOR, EscalationTarget.AGENCY_HEAD)


class StoreRunPort:
    """One run's commands executed as rows in the caller's transaction (`sop_engine.RunPort`).

    Args:
        start_spawned: starts the SOP a spawned incident triggers (`runs.start_matching_sop`),
            given here so that this module need not import the one that drives runs.
        events_recorded: how many events the run's log already holds (None: look it up when the
            first event is recorded; a new run's log is empty).
    """

    __slots__ = ("session", "clock", "now", "record", "incident", "actor", "_start_spawned", "_seq", "_routes",
                 "_timers")

    def __init__(self, *, session: Session, clock: Clock, now: datetime, record: SopRunRecord, incident: Incident,
                 actor: str, start_spawned: Callable[[Incident], object], events_recorded: int | None = None):
        self.session, self.clock, self.now = session, clock, now
        self.record, self.incident, self.actor = record, incident, actor
        self._start_spawned = start_spawned
        self._seq = events_recorded
        # Decided once per drive: the incident does not move while one event is applied.
        self._routes: dict[AgencyRole, RoutingDecision] = {}
        # The run's timers by key, read once per drive (none to read for a new run).
        self._timers: dict[str, Timer] | None = {} if events_recorded == 0 else None

    # the run and its log

    def record_event(self, event: Event) -> None:
        if self._seq is None:
            self._seq = self.session.scalar(
                select(func.max(SopRunEvent.seq)).where(SopRunEvent.run_id == self.record.id)) or 0
        self._seq += 1
        self.session.add(SopRunEvent(run_id=self.record.id, seq=self._seq, at=self.now, actor=self.actor,
                                     event=event_to_json(event)))

    def save(self, run: SopRun) -> None:
        record = self.record
        record.state = run_to_json(run)
        record.status = run.status.value
        record.finished_at = run.finished_at

    def start_spawned(self, child: Incident) -> None:
        self._start_spawned(child)

    # tasks and dispatch

    def create_tasks(self, *, step_id: str, role: AgencyRole, instruction: str, ack_due_at: datetime,
                     complete_due_at: datetime) -> tuple[str, ...]:
        return tuple(
            str(self._new_task(step_id=step_id, agency=agency, role=role, instruction=instruction,
                               ack_due_at=ack_due_at, complete_due_at=complete_due_at).id)
            for agency in self.agencies_for(role, step_id)
        )

    def agencies_for(self, role: AgencyRole, step_id: str) -> list[Agency]:
        """The active agencies of `role` that take work for the incident (routing's rule, with the
        role's overlap rule; outside every jurisdiction the nearest, and the duty officer is alerted)."""
        decision = self._routes.get(role)
        if decision is None:
            decision = self._routes[role] = routing_decision(self.session, role, self.incident)
        return agencies_for_task(session=self.session, role=role, incident=self.incident, step_id=step_id,
                                 at=self.now, decision=decision)

    def _new_task(self, *, step_id: str, agency: Agency, role: AgencyRole, instruction: str,
                  ack_due_at: datetime, complete_due_at: datetime) -> Task:
        now, incident = self.now, self.incident
        task = Task(
            id=uuid.uuid4(), incident_id=incident.id, run_id=self.record.id, step_id=step_id,
            agency_id=agency.id, role=role, instruction=instruction, created_at=now,
            ack_due_at=ack_due_at, complete_due_at=complete_due_at, updated_at=now,
            # Set here, not left to the column defaults: the webhook below reads them before any flush.
            status=TaskStatus.QUEUED, rejection_reason="", progress_note="", completion_note="",
        )
        task.agency = agency
        task.incident = incident
        self.session.add(task)  # its id is set here: the rows below refer to it without a flush
        audit.record(self.session, at=now, kind="task.created", actor=self.actor, incident_id=incident.id,
                     summary=f"step {step_id}: task for {agency.code}: {instruction}",
                     data={"task_id": str(task.id), "agency": agency.code, "step_id": step_id,
                           "ack_due_at": ack_due_at.isoformat()})
        enqueue(self.session, agency=agency, event_type="task.created", data=task_payload(task), at=now, task=task)
        return task

    def recommend_units(self, command: RequestDispatch) -> bool:
        """Propose units when the fleet has every type asked for; the run then waits for the duty
        officer to accept the recommendation (`DispatchConfirmed`)."""
        recommendation = recommend_for_sop_step(
            session=self.session, clock=self.clock, incident_id=self.incident.id, run_id=self.record.id,
            step_id=command.step_id, units=command.units,
        )
        if recommendation is None:
            return False
        audit.record(self.session, at=self.now, kind="dispatch.requested", actor="engine",
                     incident_id=self.incident.id,
                     summary=f"step {command.step_id}: units recommended for the duty officer to accept "
                     f"({', '.join(f'{count} {unit}' for unit, count in command.units)})",
                     data={"step_id": command.step_id, "recommendation_id": str(recommendation.id)})
        return True

    def command_devices(self, command: CommandDevices) -> tuple[str, ...]:
        """Queue one command per device the step names, or of its kind within its distance of the
        incident, nearest first; the worker publishes them once this transaction commits."""
        incident = self.incident
        devices = devices_for_command(self.session, kind=command.device_kind, device_ids=command.device_ids,
                                      near=(incident.longitude, incident.latitude), within_m=command.within_m)
        missing = sorted(set(command.device_ids) - {device.id for device in devices})
        if missing:  # the step goes on with the devices there are; the SOP names one that is not registered
            audit.record(self.session, at=self.now, kind="device.missing", actor="engine", incident_id=incident.id,
                         summary=f"step {command.step_id}: no {command.device_kind or 'device'} registered as "
                         f"{', '.join(missing)}", data={"step_id": command.step_id, "device_ids": missing})
        commands = issue_commands(self.session, at=self.now, devices=devices, action=command.action,
                                  payload=dict(command.payload), due_at=command.due_at, incident_id=incident.id,
                                  run_id=self.record.id, step_id=command.step_id, issued_by="engine")
        return tuple(item.command_id for item in commands)

    def cancel_task(self, command: CancelTask) -> None:
        session, now = self.session, self.now
        task = session.get(Task, uuid.UUID(command.task_id))
        if task is None or not task.status.is_open:
            return
        require_move(f"task {task.id}", task.status, TaskStatus.CANCELLED, TASK_MOVES)
        task.status = TaskStatus.CANCELLED
        task.updated_at = now
        audit.record(session, at=now, kind="task.cancelled", actor=self.actor, incident_id=task.incident_id,
                     summary=f"task of {task.agency.code} for step {task.step_id} cancelled: {command.reason}",
                     data={"task_id": str(task.id), "reason": command.reason})
        enqueue(session, agency=task.agency, event_type="task.cancelled", at=now, task=task,
                data={**task_payload(task), "reason": command.reason})

    # timers, deadlines and escalations

    def _run_timers(self) -> dict[str, Timer]:
        if self._timers is None:
            self._timers = {timer.key: timer for timer in
                            self.session.scalars(select(Timer).where(Timer.run_id == self.record.id))}
        return self._timers

    def start_timer(self, key: str, due_at: datetime) -> None:
        timers = self._run_timers()
        timer = timers.get(key)
        if timer is None:
            timers[key] = timer = Timer(run_id=self.record.id, key=key, due_at=due_at, status=TimerStatus.PENDING)
            self.session.add(timer)
        else:
            timer.due_at = due_at
            timer.status = TimerStatus.PENDING
            timer.fired_at = None

    def cancel_timer(self, key: str) -> None:
        timer = self._run_timers().get(key)
        if timer is not None and timer.status is TimerStatus.PENDING:
            timer.status = TimerStatus.CANCELLED

    def deadline_missed(self, command: DeadlineMissed) -> None:
        metrics.DEADLINES_FIRED.labels(deadline=command.deadline).inc()
        if command.task_id is not None:
            task = self.session.get(Task, uuid.UUID(command.task_id))
            who = f" by {task.agency.code}" if task is not None else ""
        else:
            who = ""
        audit.record(self.session, at=self.now, kind="deadline.missed", actor="engine",
                     incident_id=self.incident.id,
                     summary=f"{command.deadline} deadline of step {command.step_id} missed{who}",
                     data={"task_id": command.task_id, "step_id": command.step_id, "deadline": command.deadline,
                           "due_at": command.due_at.isoformat()})

    def escalate(self, command: Escalate) -> None:
        session, now, incident = self.session, self.now, self.incident
        task = session.get(Task, uuid.UUID(command.task_id)) if command.task_id else None
        session.add(
            Escalation(incident_id=incident.id, run_id=self.record.id, task_id=task.id if task else None,
                       step_id=command.step_id, rung=command.rung, target=command.target, reason=command.reason,
                       raised_at=now)
        )
        metrics.ESCALATIONS.labels(target=command.target.value).inc()
        about = f"task of {task.agency.code}" if task else f"step {command.step_id}"
        audit.record(session, at=now, kind="escalation.raised", actor="engine", incident_id=incident.id,
                     summary=f"escalated to {command.target.value} (rung {command.rung + 1}): {about}: "
                     f"{command.reason}",
                     data={"step_id": command.step_id, "task_id": command.task_id, "rung": command.rung,
                           "target": command.target.value})
        if task is not None and command.target in AGENCY_RUNGS:
            enqueue(session, agency=task.agency, event_type="task.escalated", at=now, task=task,
                    data={**task_payload(task),
                          "escalation": {"rung": command.rung, "target": command.target.value,
                                         "reason": command.reason,
                                         "contact": escalation_contact(task.agency, command.target)}})

    # the duty officer and notices

    def ask_decision(self, command: AskDecision) -> None:
        self._ask_duty_officer(command.step_id, DutyRequestKind.DECISION, command.question, command.options,
                               command.due_at)

    def ask_notice_approval(self, command: RequestNoticeApproval) -> None:
        self._ask_duty_officer(command.step_id, DutyRequestKind.PUBLIC_NOTICE, command.message,
                               (NOTICE_APPROVE, NOTICE_WITHHOLD), command.due_at)

    def _ask_duty_officer(self, step_id: str, kind: DutyRequestKind, text: str, options: tuple[str, ...],
                          due_at: datetime) -> None:
        session, now = self.session, self.now
        session.add(DutyRequest(
            incident_id=self.incident.id, run_id=self.record.id, step_id=step_id, kind=kind, text=text,
            options=list(options), created_at=now, due_at=due_at,
        ))
        what = "decision" if kind is DutyRequestKind.DECISION else "approval of a public notice"
        audit.record(session, at=now, kind=f"{kind.value}.requested", actor="engine", incident_id=self.incident.id,
                     summary=f"step {step_id}: {what} needed by {due_at.isoformat()}: {text} ({' / '.join(options)})",
                     data={"step_id": step_id, "options": list(options), "due_at": due_at.isoformat()})

    def publish_notice(self, command: PublishNotice) -> None:
        session, now = self.session, self.now
        session.add(
            PublicNotice(incident_id=self.incident.id, run_id=self.record.id, step_id=command.step_id,
                         message=command.message, approved_by=command.approved_by, published_at=now)
        )
        audit.record(session, at=now, kind="notice.published", actor=command.approved_by,
                     incident_id=self.incident.id,
                     summary=f"public notice published (step {command.step_id}): {command.message}",
                     data={"step_id": command.step_id})

    def send_notice(self, command: SendNotice) -> None:
        session, now, incident = self.session, self.now, self.incident
        told, uncovered = [], []
        for role in command.roles:
            agencies = self.agencies_for(role, command.step_id)
            if not agencies:
                uncovered.append(role.value)
            for agency in agencies:
                told.append(agency.code)
                enqueue(session, agency=agency, event_type="incident.notice", at=now,
                        data={"incident": incident_json(incident, include_reporter=False),
                              "step_id": command.step_id, "message": command.message})
        missing = f"; no agency covers the incident for {', '.join(uncovered)}" if uncovered else ""
        audit.record(session, at=now, kind="notice.sent", actor="engine", incident_id=incident.id,
                     summary=f"step {command.step_id}: notice to {', '.join(told) or 'nobody'}: "
                     f"{command.message}{missing}",
                     data={"step_id": command.step_id, "agencies": told, "uncovered_roles": uncovered})

    # spawned incidents

    def cascade_depth(self, *, at_most: int) -> int:
        depth, ancestor = 0, self.incident
        while ancestor.parent_incident_id is not None and depth < at_most:
            depth += 1
            parent = self.session.get(Incident, ancestor.parent_incident_id)
            assert parent is not None  # a foreign key
            ancestor = parent
        return depth

    def refuse_spawn(self, command: SpawnIncident, depth: int) -> None:
        audit.record(self.session, at=self.now, kind="incident.spawn_refused", actor="engine",
                     incident_id=self.incident.id,
                     summary=f"step {command.step_id}: a linked {command.incident_type} was not opened: "
                     f"the cascade is already {depth} incidents deep", data={"step_id": command.step_id})

    def spawn_incident(self, command: SpawnIncident) -> Incident:
        session, now, parent = self.session, self.now, self.incident
        # Said the way an officer reads the board: what it follows and when, not an identifier.
        description = (f"Follows the {parent.incident_type.replace('_', ' ')} declared {parent.declared_at:%H:%M} "
                       f"UTC (its step {command.step_id}): {parent.description}")
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
                     summary=f"{command.severity.value} {command.incident_type} declared, linked to incident "
                     f"{parent.id}",
                     data={"type": command.incident_type, "severity": command.severity.value,
                           "location": [parent.longitude, parent.latitude], "parent_incident_id": str(parent.id)})
        return child

    # the end

    def finish(self, command: FinishRun) -> None:
        session, now, incident = self.session, self.now, self.incident
        session.execute(
            update(DutyRequest)
            .where(DutyRequest.run_id == self.record.id, DutyRequest.status == DutyRequestStatus.OPEN)
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
            audit.record(session, at=now, kind="sop.stood_down", actor=self.actor, incident_id=incident.id,
                         summary=f"SOP stood down: {command.outcome}; open tasks cancelled; incident closed",
                         data={"reason": command.outcome})
        else:
            audit.record(session, at=now, kind="sop.incomplete", actor="engine", incident_id=incident.id,
                         summary=f"the SOP cannot go further; failed or blocked steps: "
                         f"{', '.join(command.failed_steps)}",
                         data={"failed_steps": list(command.failed_steps)})
