"""The fast world: the SOP host over memory, with the production routing and no database.

The runs go through the one SOP host (`sop_engine.host`), as the store's do; this world keeps
what the host's memory port (`simulation.memory_run_port.MemoryRunPort`) does: tasks to the
agencies routing picks, timers on a heap, escalations, requests to the duty officer, spawned
incidents and commands to the scenario's devices (`simulation.memory_devices`) kept in
dictionaries, the incident resolved when its SOP completes. A trigger rule's report is checked
for duplicates of an open incident as live (`simulation.memory_duplicates`). What only writes the timeline or the outbox in
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
from datetime import datetime

from coordination.duplicates import DuplicatePolicy
from coordination.lifecycles import NOTICE_APPROVE, TASK_MOVES, TaskStatus, require_move
from coordination.routing import AgencyArea, JurisdictionIndex
from coordination.rules import RuleRef
from simulation.memory_devices import MemoryDevices
from simulation.memory_duplicates import open_duplicate
from simulation.memory_run_port import MemoryIncident, MemoryRequest, MemoryRunPort, MemoryTask
from simulation.scenario import Scenario
from simulation.services_world import DRILL_DUTY_OFFICER, agency_specs, sop_files
from simulation.sim_clock import SimClock
from simulation.world_protocol import (
    Changes,
    CommandRow,
    EscalationRow,
    IncidentRow,
    NewTask,
    TaskRow,
)
from sop_engine import (
    UNIT_TYPES,
    AgencyRole,
    DecisionTaken,
    DeviceAnswered,
    DispatchAction,
    Event,
    IncidentFacts,
    NoticeApproved,
    NoticeWithheld,
    Severity,
    SopDefinition,
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

DUPLICATES = DuplicatePolicy()
"""The live intake's policy (`coordination.rule_service.RuleConsumer`)."""


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
        self.incidents: dict[int, MemoryIncident] = {}
        self.tasks: dict[str, MemoryTask] = {}
        self.requests: dict[str, MemoryRequest] = {}
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

    def report(self, *, incident_type: str, severity: Severity, lon: float, lat: float, description: str,
               rule: RuleRef) -> tuple[Hashable, bool, Changes]:
        duplicate = open_duplicate(self.incidents.values(), incident_type=incident_type, lon=lon, lat=lat,
                                   now=self.clock.now(), policy=DUPLICATES)
        if duplicate is not None:
            return duplicate.key, True, self._take_changes()
        key, changes = self.declare(incident_type=incident_type, severity=severity, lon=lon, lat=lat,
                                    description=description)
        return key, False, changes

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
                     parent: int | None) -> MemoryIncident:
        incident = MemoryIncident(len(self.incidents) + 1, incident_type, severity, lon, lat, parent, self.clock.now())
        self.incidents[incident.key] = incident
        return incident

    def start_matching_sop(self, incident: MemoryIncident) -> None:
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

    def agencies(self, role: AgencyRole, incident: MemoryIncident) -> list[AgencyArea]:
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
        self.tasks[key] = MemoryTask(key, incident, port.run_id, step_id, role, agency, port.now, ack_due_at,
                                complete_due_at)
        action = port.definition.step(step_id).action
        needs = (tuple((t, n) for t, n in action.units if UNIT_TYPES[t] == role)
                 if isinstance(action, DispatchAction) else None)
        self.changes.tasks.append(NewTask(key, incident, step_id, role, agency, needs))
        return key
