"""The runtime world's records of incidents, tasks and duty requests, and the SOP host's memory
port over them (`MemoryRunPort`): what each of a run's commands does in the drill's memory, where
the store's port (`coordination.run_commands.StoreRunPort`) writes rows.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from coordination.lifecycles import (
    INCIDENT_MOVES,
    NOTICE_APPROVE,
    NOTICE_WITHHOLD,
    TASK_MOVES,
    IncidentStatus,
    TaskStatus,
    require_move,
)
from simulation.world_protocol import EscalationRow, NewIncident, NewRequest
from sop_engine import (
    AgencyRole,
    AskDecision,
    CancelTask,
    CommandDevices,
    DeadlineMissed,
    Escalate,
    Event,
    FinishRun,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    RunStatus,
    SendNotice,
    Severity,
    SopDefinition,
    SopRun,
    SpawnIncident,
)

if TYPE_CHECKING:
    from simulation.runtime_world import RuntimeWorld


@dataclass(slots=True)
class MemoryIncident:
    key: int
    incident_type: str
    severity: Severity
    lon: float
    lat: float
    parent: int | None
    declared_at: datetime
    status: IncidentStatus = IncidentStatus.OPEN
    resolved_at: datetime | None = None
    sop: str = ""


@dataclass(slots=True)
class MemoryTask:
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
class MemoryRequest:
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

    def __init__(self, world: RuntimeWorld, run: SopRun, incident: MemoryIncident, definition: SopDefinition):
        self.world, self.run, self.run_id = world, run, run.run_id
        self.incident, self.definition = incident, definition
        self.timers: dict[str, datetime] = {}
        """Pending timers by key (a timer on the world's heap that is not here was cancelled or moved)."""
        self.requests: list[MemoryRequest] = []
        """The duty officer's requests it asked: closed when it finishes."""
        self.now = world.clock.now()
        """The moment of the event being driven (set before each drive)."""

    def record_event(self, event: Event) -> None:
        """A drill keeps no event log: its records are the tasks, escalations and incidents."""

    def save(self, run: SopRun) -> None:
        self.run = run
        if run.status is not RUNNING:
            # A finished run ignores every event (and its timers are cancelled, its tasks and
            # requests closed): drop it, so a long drill keeps only the runs still going.
            del self.world.runs[self.run_id]

    def start_spawned(self, child: MemoryIncident) -> None:
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
        request = world.requests[key] = MemoryRequest(key, self.incident.key, self.run_id, step_id, is_decision, options)
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

    def spawn_incident(self, command: SpawnIncident) -> MemoryIncident:
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


RUNNING = RunStatus.RUNNING
