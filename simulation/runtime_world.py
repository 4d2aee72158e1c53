"""The fast world: the pure SOP runtime and the production routing, with no database.

It executes the runtime's commands the way `coordination.run_commands` does (tasks to the
agencies routing picks, `TasksAssigned` back to the run, timers, escalations, decisions,
notices, spawned incidents with the same cascade depth limit, the incident resolved when its
SOP completes) but keeps them in dictionaries. The services world spends most of a drill in
SQLAlchemy and the hash-chained timeline; this one reaches the benchmark aims (a 24-hour city
drill thousands of times faster than real time). A test holds the two worlds to the same
records for the same seed.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from coordination.lifecycles import (
    INCIDENT_MOVES,
    NOTICE_APPROVE,
    TASK_MOVES,
    IncidentStatus,
    TaskStatus,
    require_move,
)
from coordination.routing import AgencyArea, JurisdictionIndex
from coordination.run_commands import MAX_CASCADE_DEPTH
from simulation.scenario import Scenario
from simulation.services_world import DRILL_DUTY_OFFICER, agency_specs, sop_files
from simulation.sim_clock import SimClock
from simulation.world_protocol import (
    Changes,
    EscalationRow,
    IncidentRow,
    NewIncident,
    NewRequest,
    NewTask,
    TaskRow,
)
from sop_engine import (
    UNIT_TYPES,
    AgencyRole,
    AskDecision,
    CancelTask,
    CancelTimer,
    CreateTask,
    DeadlineMissed,
    DecisionTaken,
    DispatchAction,
    Escalate,
    Event,
    FinishRun,
    IncidentFacts,
    NoticeApproved,
    NoticeWithheld,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    RunStarted,
    RunStatus,
    SendNotice,
    Severity,
    SopDefinition,
    SopRun,
    SpawnIncident,
    StartTimer,
    TaskAcknowledged,
    TaskCompleted,
    TasksAssigned,
    TimerFired,
    advance,
    load_sop_text,
    matching_sop,
    new_run,
    shipped_sops,
)


@dataclass(slots=True)
class _Incident:
    key: int
    incident_type: str
    severity: Severity
    lon: float
    lat: float
    parent: int | None
    status: IncidentStatus = IncidentStatus.OPEN
    resolved_at: datetime | None = None
    sop: str = ""


@dataclass(slots=True)
class _Task:
    key: str
    incident: int
    run: str
    step_id: str
    role: AgencyRole
    agency_code: str
    created_at: datetime
    ack_due_at: datetime
    complete_due_at: datetime
    status: TaskStatus = TaskStatus.QUEUED
    acknowledged_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(slots=True)
class _Request:
    key: str
    incident: int
    run: str
    step_id: str
    is_decision: bool
    options: tuple[str, ...]
    open: bool = True


@dataclass(slots=True)
class _Run:
    run: SopRun
    incident: int
    definition: SopDefinition
    timers: dict[str, datetime] = field(default_factory=dict)
    requests: list[_Request] = field(default_factory=list)
    """The duty officer's requests it asked: closed when it finishes."""


class RuntimeWorld:
    """The SOP runtime in simulated time without a database: see `simulation.world_protocol.World`."""

    def __init__(self, scenario: Scenario, clock: SimClock):
        self.clock = clock
        if scenario.sops == "shipped":
            self.sops = shipped_sops()
        else:
            self.sops = [load_sop_text(p.read_text(encoding="utf-8"), source=str(p)) for p in sop_files(scenario)]
        self.areas: dict[AgencyRole, list[AgencyArea]] = {}
        for number, (code, _name, kind, jurisdiction) in enumerate(agency_specs(scenario), start=1):
            self.areas.setdefault(kind, []).append(AgencyArea.from_geojson(uuid.UUID(int=number), code, jurisdiction))
        # One spatial index per role, built once, as the service caches them per role.
        self.indexes = {role: JurisdictionIndex(areas) for role, areas in self.areas.items()}
        # A role whose agencies all cover the whole city routes every place alike: decide it once.
        self.citywide = {role: list(index.route(longitude=0.0, latitude=0.0).agencies)
                         for role, index in self.indexes.items() if all(a.area is None for a in self.areas[role])}
        self.incidents: dict[int, _Incident] = {}
        self.tasks: dict[str, _Task] = {}
        self.requests: dict[str, _Request] = {}
        self.runs: dict[str, _Run] = {}
        """Runs still going (a finished run is dropped)."""
        self._runs_started = 0
        self.escalations: list[EscalationRow] = []
        self._timers: list[tuple[datetime, int, str, str]] = []
        self._seq = itertools.count()
        self._changes = Changes()

    # --- the World protocol ---------------------------------------------------------------------

    def declare(self, *, incident_type: str, severity: Severity, lon: float, lat: float,
                description: str) -> tuple[Hashable, Changes]:
        incident = self._new_incident(incident_type, severity, lon, lat, parent=None)
        self._start_matching_sop(incident)
        return incident.key, self._take_changes()

    def answer_task(self, key: Hashable, *, complete: bool, note: str = "") -> Changes | None:
        task = self.tasks.get(key)
        if task is None or not task.status.is_open or (not complete and task.acknowledged_at is not None):
            return None
        now = self.clock.now()
        what = f"task {task.key}"
        if complete:
            require_move(what, task.status, TaskStatus.COMPLETED, TASK_MOVES)
            task.status, task.completed_at = TaskStatus.COMPLETED, now
            task.acknowledged_at = task.acknowledged_at or now
            event: Event = TaskCompleted(task.key)
        else:
            require_move(what, task.status, TaskStatus.ACKNOWLEDGED, TASK_MOVES)
            task.status, task.acknowledged_at = TaskStatus.ACKNOWLEDGED, now
            event = TaskAcknowledged(task.key)
        self._drive(task.run, event)
        return self._take_changes()

    def answer_request(self, key: Hashable, *, choice: str) -> Changes | None:
        request = self.requests.get(key)
        if request is None or not request.open:
            return None
        request.open = False
        by = DRILL_DUTY_OFFICER.label
        if request.is_decision:
            event: Event = DecisionTaken(request.step_id, choice, by)
        elif choice == NOTICE_APPROVE:
            event = NoticeApproved(request.step_id, by)
        else:
            event = NoticeWithheld(request.step_id, by, "withheld by the duty officer")
        self._drive(request.run, event)
        return self._take_changes()

    def fire_due_timers(self) -> tuple[int, Changes]:
        now, fired = self.clock.now(), 0
        while self._timers and self._timers[0][0] <= now:
            due_at, _, run_id, key = heapq.heappop(self._timers)
            record = self.runs.get(run_id)
            if record is None or record.timers.get(key) != due_at:
                continue  # cancelled or moved since it was queued, or its run has finished
            del record.timers[key]
            fired += 1
            self._drive(run_id, TimerFired(key))
        return fired, self._take_changes()

    def rows(self) -> tuple[list[IncidentRow], list[TaskRow], list[EscalationRow]]:
        incidents = [IncidentRow(i.key, i.sop, i.status.value, i.resolved_at, True) for i in self.incidents.values()]
        tasks = [TaskRow(t.incident, t.step_id, t.role.value, t.agency_code, t.created_at, t.ack_due_at,
                         t.acknowledged_at, t.complete_due_at, t.completed_at, t.status.value, True)
                 for t in self.tasks.values()]
        return incidents, tasks, list(self.escalations)

    def close(self) -> None:
        """Nothing to release: the world is plain memory."""

    # --- runs -------------------------------------------------------------------------------

    def _take_changes(self) -> Changes:
        changes, self._changes = self._changes, Changes()
        timers = self._timers
        runs = self.runs
        while timers and (timers[0][2] not in runs or runs[timers[0][2]].timers.get(timers[0][3]) != timers[0][0]):
            heapq.heappop(timers)  # cancelled or moved since it was queued, or its run has finished
        changes.next_due = timers[0][0] if timers else None
        return changes

    def _new_incident(self, incident_type: str, severity: Severity, lon: float, lat: float,
                      parent: int | None) -> _Incident:
        incident = _Incident(len(self.incidents) + 1, incident_type, severity, lon, lat, parent)
        self.incidents[incident.key] = incident
        return incident

    def _start_matching_sop(self, incident: _Incident) -> None:
        definition = matching_sop(self.sops, incident_type=incident.incident_type, severity=incident.severity)
        if definition is None:
            return  # the duty officer coordinates by hand, as in production
        self._runs_started += 1
        run_id = f"run-{self._runs_started}"
        incident.sop = f"{definition.ref.sop_id}@v{definition.ref.version}"
        facts = IncidentFacts(incident.incident_type, incident.severity, {"is_exercise": True})
        self.runs[run_id] = _Run(new_run(run_id=run_id, definition=definition, incident=facts), incident.key,
                                 definition)
        self._drive(run_id, RunStarted(facts))

    def _drive(self, run_id: str, event: Event) -> None:
        record = self.runs[run_id]
        now = self.clock.now()
        pending: deque[Event] = deque([event])
        spawned: list[_Incident] = []
        while pending:
            record.run, commands = advance(record.run, pending.popleft(), now)
            for command in commands:
                outcome = self._execute(record, command, now)
                if isinstance(outcome, _Incident):
                    spawned.append(outcome)
                elif outcome is not None:
                    pending.append(outcome)
        if record.run.status is not RunStatus.RUNNING:
            # A finished run ignores every event (and its timers are cancelled, its tasks and
            # requests closed): drop it, so a long drill keeps only the runs still going.
            del self.runs[run_id]
        for child in spawned:
            self._start_matching_sop(child)

    def _execute(self, record: _Run, command, now: datetime) -> Event | _Incident | None:
        # One method per command type, found by the command's exact type: an isinstance chain
        # tried up to nine types for each of the several commands every event produces.
        return self._executors[type(command)](self, record, command, now)

    def _create_task(self, record: _Run, command: CreateTask, now: datetime) -> Event:
        incident = self.incidents[record.incident]
        keys = [self._new_task(record, command.step_id, command.role, command.ack_due_at, command.complete_due_at,
                               now, agency=area.code)
                for area in self._agencies(command.role, incident)]
        return TasksAssigned(command.step_id, tuple(keys))

    def _request_dispatch(self, record: _Run, command: RequestDispatch, now: datetime) -> Event:
        incident = self.incidents[record.incident]
        roles: list[AgencyRole] = []
        for unit_type, _count in command.units:
            if UNIT_TYPES[unit_type] not in roles:
                roles.append(UNIT_TYPES[unit_type])
        keys = [self._new_task(record, command.step_id, role, command.ack_due_at, command.complete_due_at, now,
                               agency=area.code)
                for role in roles for area in self._agencies(role, incident)]
        return TasksAssigned(command.step_id, tuple(keys))

    def _spawn_incident(self, record: _Run, command: SpawnIncident, now: datetime) -> _Incident | None:
        return self._spawn(self.incidents[record.incident], command)

    def _start_timer(self, record: _Run, command: StartTimer, now: datetime) -> None:
        record.timers[command.key] = command.due_at
        heapq.heappush(self._timers, (command.due_at, next(self._seq), record.run.run_id, command.key))

    def _cancel_timer(self, record: _Run, command: CancelTimer, now: datetime) -> None:
        record.timers.pop(command.key, None)

    def _escalate(self, record: _Run, command: Escalate, now: datetime) -> None:
        self.escalations.append(EscalationRow(record.incident, command.step_id, command.rung, command.target.value,
                                              now))

    def _cancel_task(self, record: _Run, command: CancelTask, now: datetime) -> None:
        task = self.tasks.get(command.task_id)
        if task is not None and task.status.is_open:
            require_move(f"task {task.key}", task.status, TaskStatus.CANCELLED, TASK_MOVES)
            task.status = TaskStatus.CANCELLED

    def _ask_duty_officer(self, record: _Run, command: AskDecision | RequestNoticeApproval, now: datetime) -> None:
        is_decision = isinstance(command, AskDecision)
        options = tuple(command.options) if is_decision else (NOTICE_APPROVE, "withhold")
        key = f"request-{len(self.requests) + 1}"
        request = self.requests[key] = _Request(key, record.incident, record.run.run_id, command.step_id, is_decision,
                                                options)
        record.requests.append(request)
        self._changes.requests.append(NewRequest(key, record.incident, command.step_id, is_decision, options))

    def _finish_run(self, record: _Run, command: FinishRun, now: datetime) -> None:
        self._finish(record, self.incidents[record.incident], command, now)

    def _timeline_only(self, record: _Run, command, now: datetime) -> None:
        """DeadlineMissed, SendNotice and PublishNotice only write the timeline and webhooks."""

    _executors: ClassVar[dict[type, Callable]] = {
        CreateTask: _create_task, RequestDispatch: _request_dispatch, SpawnIncident: _spawn_incident,
        StartTimer: _start_timer, CancelTimer: _cancel_timer, Escalate: _escalate, CancelTask: _cancel_task,
        AskDecision: _ask_duty_officer, RequestNoticeApproval: _ask_duty_officer, FinishRun: _finish_run,
        DeadlineMissed: _timeline_only, SendNotice: _timeline_only, PublishNotice: _timeline_only,
    }

    def _agencies(self, role: AgencyRole, incident: _Incident) -> list[AgencyArea]:
        if role in self.citywide:
            return self.citywide[role]
        index = self.indexes.get(role)
        if index is None:
            return []
        return list(index.route(longitude=incident.lon, latitude=incident.lat).agencies)

    def _new_task(self, record: _Run, step_id: str, role: AgencyRole, ack_due_at: datetime,
                  complete_due_at: datetime, now: datetime, *, agency: str) -> str:
        code = agency
        key = f"task-{len(self.tasks) + 1}"
        self.tasks[key] = _Task(key, record.incident, record.run.run_id, step_id, role, code, now, ack_due_at,
                                complete_due_at)
        action = record.definition.step(step_id).action
        needs = (tuple((t, n) for t, n in action.units if UNIT_TYPES[t] == role)
                 if isinstance(action, DispatchAction) else None)
        self._changes.tasks.append(NewTask(key, record.incident, step_id, role, code, needs))
        return key

    def _spawn(self, parent: _Incident, command: SpawnIncident) -> _Incident | None:
        depth, ancestor = 0, parent
        while ancestor.parent is not None and depth <= MAX_CASCADE_DEPTH:
            depth += 1
            ancestor = self.incidents[ancestor.parent]
        if depth >= MAX_CASCADE_DEPTH:
            return None
        child = self._new_incident(command.incident_type, command.severity, parent.lon, parent.lat, parent.key)
        self._changes.incidents.append(NewIncident(child.key, child.incident_type, child.severity, child.lon,
                                                   child.lat, parent.key, command.step_id))
        return child

    def _finish(self, record: _Run, incident: _Incident, command: FinishRun, now: datetime) -> None:
        for request in record.requests:
            request.open = False
        if command.status is RunStatus.COMPLETED and incident.status is IncidentStatus.OPEN:
            require_move(f"incident {incident.key}", incident.status, IncidentStatus.RESOLVED, INCIDENT_MOVES)
            incident.status, incident.resolved_at = IncidentStatus.RESOLVED, now
        elif command.status is RunStatus.STOOD_DOWN and incident.status is not IncidentStatus.CLOSED:
            incident.status, incident.resolved_at = IncidentStatus.CLOSED, now
