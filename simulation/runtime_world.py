"""The fast world: the SOP host over memory, with the production routing and no database.

The runs go through the one SOP host (`sop_engine.host`), as the store's do; this world is the
host's memory port (`MemoryRunPort`): tasks to the agencies routing picks, timers on a heap,
escalations, requests to the duty officer and spawned incidents kept in dictionaries, the
incident resolved when its SOP completes. What only writes the timeline or the outbox in
production (missed deadlines, notices) leaves nothing here. The services world spends most of a
drill in SQLAlchemy and the hash-chained timeline; this one reaches the benchmark aims (a 24-hour
city drill thousands of times faster than real time). A contract test runs the same scenarios
through both ports (`tests/simulation/test_sop_host_contract.py`).
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from coordination.lifecycles import (
    INCIDENT_MOVES,
    NOTICE_APPROVE,
    NOTICE_WITHHOLD,
    TASK_MOVES,
    IncidentStatus,
    TaskStatus,
    require_move,
)
from coordination.routing import AgencyArea, JurisdictionIndex
from simulation.scenario import Scenario
from simulation.memory_devices import MemoryDevices
from simulation.services_world import DRILL_DUTY_OFFICER, agency_specs, sop_files
from simulation.sim_clock import SimClock
from simulation.world_protocol import (
    Changes,
    CommandRow,
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
    CommandDevices,
    DeadlineMissed,
    DecisionTaken,
    DeviceAnswered,
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
    RunStatus,
    SendNotice,
    Severity,
    SopDefinition,
    SopRun,
    SpawnIncident,
    TaskAcknowledged,
    TaskCompleted,
    TimerFired,
    begin_run,
    drive_run,
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


class MemoryRunPort:
    """One run of the runtime world, and the host's port for it (`sop_engine.RunPort`)."""

    __slots__ = ("world", "run", "run_id", "incident", "definition", "timers", "requests", "now")

    def __init__(self, world: RuntimeWorld, run: SopRun, incident: _Incident, definition: SopDefinition):
        self.world, self.run, self.run_id = world, run, run.run_id
        self.incident, self.definition = incident, definition
        self.timers: dict[str, datetime] = {}
        """Pending timers by key (a timer on the world's heap that is not here was cancelled or moved)."""
        self.requests: list[_Request] = []
        """The duty officer's requests it asked: closed when it finishes."""
        self.now = world.clock.now()
        """The moment of the event being driven (set before each drive)."""

    def record_event(self, event: Event) -> None:
        """A drill keeps no event log: its records are the tasks, escalations and incidents."""

    def save(self, run: SopRun) -> None:
        self.run = run
        if run.status is not _RUNNING:
            # A finished run ignores every event (and its timers are cancelled, its tasks and
            # requests closed): drop it, so a long drill keeps only the runs still going.
            del self.world.runs[self.run_id]

    def start_spawned(self, child: _Incident) -> None:
        self.world.start_matching_sop(child)

    def create_tasks(self, *, step_id: str, role: AgencyRole, instruction: str, ack_due_at: datetime,
                     complete_due_at: datetime) -> tuple[str, ...]:
        world = self.world
        return tuple(world.new_task(self, step_id, role, ack_due_at, complete_due_at, agency=area.code)
                     for area in world.agencies(role, self.incident))

    def recommend_units(self, command: RequestDispatch) -> bool:
        """No dispatch service here: the drill's fleet answers each owning agency's task instead, as
        the services world does with no units registered."""
        return False

    def command_devices(self, command: CommandDevices) -> tuple[str, ...]:
        """Send the command to each of the scenario's devices it finds, as the registry would choose
        them (nearest first); none found: the step fails and is escalated, as in a centre without such devices."""
        incident = self.incident
        sent = self.world.devices.send(command, incident=incident.key, lon=incident.lon, lat=incident.lat,
                                       run=self.run_id, now=self.now)
        self.world.changes.commands.extend(sent)
        return tuple(item.key for item in sent)

    def cancel_task(self, command: CancelTask) -> None:
        task = self.world.tasks.get(command.task_id)
        if task is not None and task.status.is_open:
            require_move(f"task {task.key}", task.status, TaskStatus.CANCELLED, TASK_MOVES)
            task.status = TaskStatus.CANCELLED

    def start_timer(self, key: str, due_at: datetime) -> None:
        self.timers[key] = due_at
        world = self.world
        heapq.heappush(world.timer_heap, (due_at, next(world.timer_seq), self.run_id, key))

    def cancel_timer(self, key: str) -> None:
        self.timers.pop(key, None)

    def deadline_missed(self, command: DeadlineMissed) -> None:
        """Only the timeline and the metrics hear of it in production."""

    def escalate(self, command: Escalate) -> None:
        self.world.escalations.append(EscalationRow(self.incident.key, command.step_id, command.rung,
                                                    command.target.value, self.now))

    def ask_decision(self, command: AskDecision) -> None:
        self._ask_duty_officer(command.step_id, True, tuple(command.options))

    def ask_notice_approval(self, command: RequestNoticeApproval) -> None:
        self._ask_duty_officer(command.step_id, False, (NOTICE_APPROVE, NOTICE_WITHHOLD))

    def _ask_duty_officer(self, step_id: str, is_decision: bool, options: tuple[str, ...]) -> None:
        world = self.world
        key = f"request-{len(world.requests) + 1}"
        request = world.requests[key] = _Request(key, self.incident.key, self.run_id, step_id, is_decision, options)
        self.requests.append(request)
        world.changes.requests.append(NewRequest(key, self.incident.key, step_id, is_decision, options))

    def publish_notice(self, command: PublishNotice) -> None:
        """Only the timeline (and a CAP alert) hear of it in production."""

    def send_notice(self, command: SendNotice) -> None:
        """Only the timeline and the agencies' webhooks hear of it in production."""

    def cascade_depth(self, *, at_most: int) -> int:
        depth, ancestor, incidents = 0, self.incident, self.world.incidents
        while ancestor.parent is not None and depth < at_most:
            depth += 1
            ancestor = incidents[ancestor.parent]
        return depth

    def refuse_spawn(self, command: SpawnIncident, depth: int) -> None:
        """Only the timeline hears of it in production."""

    def spawn_incident(self, command: SpawnIncident) -> _Incident:
        world, parent = self.world, self.incident
        child = world.new_incident(command.incident_type, command.severity, parent.lon, parent.lat, parent.key)
        world.changes.incidents.append(NewIncident(child.key, child.incident_type, child.severity, child.lon,
                                                   child.lat, parent.key, command.step_id))
        return child

    def finish(self, command: FinishRun) -> None:
        for request in self.requests:
            request.open = False
        incident, now = self.incident, self.now
        if command.status is RunStatus.COMPLETED and incident.status is IncidentStatus.OPEN:
            require_move(f"incident {incident.key}", incident.status, IncidentStatus.RESOLVED, INCIDENT_MOVES)
            incident.status, incident.resolved_at = IncidentStatus.RESOLVED, now
        elif command.status is RunStatus.STOOD_DOWN and incident.status is not IncidentStatus.CLOSED:
            incident.status, incident.resolved_at = IncidentStatus.CLOSED, now


_RUNNING = RunStatus.RUNNING


class RuntimeWorld:
    """The SOP host over memory in simulated time: see `simulation.world_protocol.World`."""

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
        self.runs: dict[str, MemoryRunPort] = {}
        """Runs still going (a finished run is dropped)."""
        self._runs_started = 0
        self._sop_for: dict[tuple[str, Severity], tuple[SopDefinition | None, str, IncidentFacts]] = {}
        self.escalations: list[EscalationRow] = []
        self.devices = MemoryDevices(scenario.devices)
        self.timer_heap: list[tuple[datetime, int, str, str]] = []
        self.timer_seq = itertools.count()
        """Ties on the heap break in the order the timers were started."""
        self.changes = Changes()
        """What the current call caused, for the engine."""

    # --- the World protocol ---------------------------------------------------------------------

    def declare(self, *, incident_type: str, severity: Severity, lon: float, lat: float,
                description: str) -> tuple[Hashable, Changes]:
        incident = self.new_incident(incident_type, severity, lon, lat, parent=None)
        self.start_matching_sop(incident)
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

    def answer_command(self, key: Hashable, *, confirmed: bool, reason: str = "") -> Changes | None:
        command = self.devices.answer(key, confirmed=confirmed, now=self.clock.now())
        if command is None:
            return None
        if command.run in self.runs:  # a finished run hears nothing more (its step settled without this answer)
            self._drive(command.run, DeviceAnswered(command.key, confirmed, reason))
        return self._take_changes()

    def fire_due_timers(self) -> tuple[int, Changes]:
        now, fired, heap = self.clock.now(), 0, self.timer_heap
        while heap and heap[0][0] <= now:
            due_at, _, run_id, key = heapq.heappop(heap)
            run = self.runs.get(run_id)
            if run is None or run.timers.get(key) != due_at:
                continue  # cancelled or moved since it was queued, or its run has finished
            del run.timers[key]
            fired += 1
            self._drive(run_id, TimerFired(key))
        return fired, self._take_changes()

    def rows(self) -> tuple[list[IncidentRow], list[TaskRow], list[EscalationRow]]:
        incidents = [IncidentRow(i.key, i.sop, i.status.value, i.resolved_at, True) for i in self.incidents.values()]
        tasks = [TaskRow(t.incident, t.step_id, t.role.value, t.agency_code, t.created_at, t.ack_due_at,
                         t.acknowledged_at, t.complete_due_at, t.completed_at, t.status.value, True)
                 for t in self.tasks.values()]
        return incidents, tasks, list(self.escalations)

    def command_rows(self) -> list[CommandRow]:
        return self.devices.rows()

    def close(self) -> None:
        """Nothing to release: the world is plain memory."""

    # --- runs, through the SOP host ------------------------------------------------------------

    def _take_changes(self) -> Changes:
        changes, self.changes = self.changes, Changes()
        heap, runs = self.timer_heap, self.runs
        while heap and (heap[0][2] not in runs or runs[heap[0][2]].timers.get(heap[0][3]) != heap[0][0]):
            heapq.heappop(heap)  # cancelled or moved since it was queued, or its run has finished
        changes.next_due = heap[0][0] if heap else None
        return changes

    def new_incident(self, incident_type: str, severity: Severity, lon: float, lat: float,
                     parent: int | None) -> _Incident:
        incident = _Incident(len(self.incidents) + 1, incident_type, severity, lon, lat, parent)
        self.incidents[incident.key] = incident
        return incident

    def start_matching_sop(self, incident: _Incident) -> None:
        """Start the SOP the incident triggers, as production does; none: the duty officer coordinates by hand."""
        kind = (incident.incident_type, incident.severity)
        chosen = self._sop_for.get(kind)
        if chosen is None:
            # The choice depends on the type and severity alone: made once per pair, with the facts
            # (frozen, so one value serves every run of the pair).
            definition = matching_sop(self.sops, incident_type=kind[0], severity=kind[1])
            chosen = self._sop_for[kind] = (
                definition, f"{definition.ref.sop_id}@v{definition.ref.version}" if definition else "",
                IncidentFacts(kind[0], kind[1], {"is_exercise": True}))
        definition, incident.sop, facts = chosen
        if definition is None:
            return
        self._runs_started += 1
        run_id = f"run-{self._runs_started}"
        port = self.runs[run_id] = MemoryRunPort(self, new_run(run_id=run_id, definition=definition, incident=facts),
                                                 incident, definition)
        begin_run(port, port.run, port.now)

    def _drive(self, run_id: str, event: Event) -> None:
        port = self.runs[run_id]
        port.now = now = self.clock.now()
        drive_run(port, port.run, event, now)

    def agencies(self, role: AgencyRole, incident: _Incident) -> list[AgencyArea]:
        """The agencies of `role` that take the incident's tasks (the production routing)."""
        if role in self.citywide:
            return self.citywide[role]
        index = self.indexes.get(role)
        if index is None:
            return []
        return list(index.route(longitude=incident.lon, latitude=incident.lat).agencies)

    def new_task(self, port: MemoryRunPort, step_id: str, role: AgencyRole, ack_due_at: datetime,
                 complete_due_at: datetime, *, agency: str) -> str:
        """Record a task for `agency` and report it to the engine; return its key."""
        key = f"task-{len(self.tasks) + 1}"
        incident = port.incident.key
        self.tasks[key] = _Task(key, incident, port.run_id, step_id, role, agency, port.now, ack_due_at,
                                complete_due_at)
        action = port.definition.step(step_id).action
        needs = (tuple((t, n) for t, n in action.units if UNIT_TYPES[t] == role)
                 if isinstance(action, DispatchAction) else None)
        self.changes.tasks.append(NewTask(key, incident, step_id, role, agency, needs))
        return key
