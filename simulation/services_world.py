"""The production world: the real coordination services over an in-memory SQLite store.

Each replication gets its own database (schema from the production migrations, SOPs through
the production catalogue), so replications share nothing and run in parallel processes.
Each call runs in one transaction, as in production; the rows the services insert (spawned
incidents, tasks, duty officer requests) are seen through SQLAlchemy's mapper events as they
are flushed, and reported with the next pending timer as `Changes`.

The scenario's devices are registered in the production registry (`coordination.devices`): an
SOP's command step queues its commands through the store's port as live, and a device's answer
goes through the production use case (`device_confirmations.answer_command`), which feeds the
run. Commands are never published (the drill has no broker): a device answers a queued command,
as one may before the publisher has recorded the broker's acknowledgement. Trigger rules' reports
go through the production duplicate check (`report_incident`).
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from coordination import (
    SYSTEM,
    Acknowledge,
    AgencyRegistration,
    Complete,
    IncidentReport,
    ManualClock,
    Principal,
    Role,
    Store,
    TimerStatus,
    answer_request,
    answer_task,
    declare_incident,
    fire_due_timers,
    install_shipped_sops,
    register_agency,
    store_sop_version,
    upgrade,
)
from coordination.demo_city import DEMO_AGENCIES
from coordination import device_confirmations
from coordination.devices import SHIPPED_DEVICE_KINDS, DeviceRegistration, register_device
from coordination.duplicates import DuplicatePolicy, report_incident
from coordination.geojson import GeoPoint
from coordination.lifecycles import DeviceCommandStatus, DutyRequestKind, DutyRequestStatus
from coordination.rule_service import rule_actor
from coordination.rules import RuleRef
from coordination.sop_catalogue import definition_for
from coordination.store.tables import (
    DeviceCommand,
    DutyRequest,
    Escalation,
    Incident,
    SopRunRecord,
    SopVersion,
    Task,
    Timer,
)
from simulation.scenario import Scenario
from simulation.sim_clock import SimClock
from simulation.world_protocol import (
    Changes,
    CommandRow,
    EscalationRow,
    IncidentRow,
    NewCommand,
    NewIncident,
    NewRequest,
    NewTask,
    TaskRow,
)
from sop_engine import UNIT_TYPES, AgencyRole, DispatchAction, Severity, SopDefinitionError, SopRef, SourceProblem
from sop_engine import load_sop_text

TIMER_BATCH = 200
"""Timers claimed per `fire_due_timers` call (the service's own batch size)."""

DRILL_DUTY_OFFICER = Principal(token_id=None, name="drill-duty-officer", role=Role.DUTY_OFFICER)
"""Who declares drill incidents and takes the simulated duty officer's decisions."""


def agency_specs(scenario: Scenario) -> list[tuple[str, str, AgencyRole, dict | None]]:
    """(code, name, role, jurisdiction) of every agency of the scenario."""
    if scenario.agencies == "demo":
        return [(a.code, a.name, a.kind, None) for a in DEMO_AGENCIES]
    return [(a.code, a.code, a.kind, a.jurisdiction) for a in scenario.agencies]


def sop_files(scenario: Scenario) -> list[Path]:
    """The SOP files of a scenario's folder, in name order; every one must load.

    Raises:
        SopDefinitionError: the folder holds no SOP, or a file is invalid.
    """
    folder = scenario.path(scenario.sops)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise SopDefinitionError([SourceProblem(str(folder), 0, "no SOP files (*.yaml) in this folder")])
    for path in files:
        load_sop_text(path.read_text(encoding="utf-8"), source=str(path))
    return files


_COMMAND_STATUS = {DeviceCommandStatus.CONFIRMED: "confirmed", DeviceCommandStatus.FAILED: "failed"}
"""A drill's records, as the runtime world's: answered, or `sent` (queued or overdue, never answered)."""


class ServicesWorld:
    """The production services in simulated time: see `simulation.world_protocol.World`."""

    def __init__(self, scenario: Scenario, clock: SimClock):
        self.clock = clock
        self.store = Store("sqlite://")
        upgrade(self.store)
        setup_clock = ManualClock(scenario.start)
        self.principals: dict[str, Principal] = {}
        with self.store.transaction() as session:
            if scenario.sops == "shipped":
                install_shipped_sops(session=session, clock=setup_clock, actor=SYSTEM)
            else:
                for path in sop_files(scenario):
                    store_sop_version(session=session, clock=setup_clock, text=path.read_text(encoding="utf-8"),
                                      source=str(path), actor=SYSTEM)
            for code, name, kind, jurisdiction in agency_specs(scenario):
                registered = register_agency(
                    session=session, clock=setup_clock, allowed_hosts=frozenset(), actor=SYSTEM,
                    registration=AgencyRegistration(code=code, name=name, kind=kind, jurisdiction=jurisdiction),
                )
                self.principals[code] = Principal(token_id=None, name=code, role=Role.AGENCY,
                                                  agency_id=registered.agency.id)
            kinds = SHIPPED_DEVICE_KINDS | {device.kind for device in scenario.devices}  # a city's own kinds too
            for device in scenario.devices:
                register_device(session=session, clock=setup_clock, kinds=kinds, actor=SYSTEM,
                                registration=DeviceRegistration(
                                    id=device.id, kind=device.kind, agency=device.agency or next(iter(self.principals)),
                                    location=GeoPoint(type="Point", coordinates=device.at)))
            self.definitions = {SopRef(v.sop_id, v.version): definition_for(session, SopRef(v.sop_id, v.version))
                                for v in session.scalars(select(SopVersion))}
        self.agency_code = {p.agency_id: code for code, p in self.principals.items()}
        self._sop_of_run: dict[uuid.UUID, SopRef] = {}
        self._inserted: list[Incident | Task | DutyRequest | DeviceCommand] = []
        # The rows each call inserts, seen as the services flush them: reading them back with
        # queries cost a scan of every table per call, which grew with the drill.
        self._listeners = [(table, "after_insert", self._on_insert)
                           for table in (Incident, Task, DutyRequest, DeviceCommand, SopRunRecord)]
        for table, name, listener in self._listeners:
            event.listen(table, name, listener)

    def _on_insert(self, _mapper, connection, row) -> None:
        if connection.engine is not self.store.engine:
            return  # another store in this process (another world, or a server)
        if isinstance(row, SopRunRecord):
            self._sop_of_run[row.id] = SopRef(row.sop_id, row.sop_version)
        else:
            self._inserted.append(row)

    def declare(self, *, incident_type: str, severity: Severity, lon: float, lat: float,
                description: str) -> tuple[Hashable, Changes]:
        report = IncidentReport(type=incident_type, severity=severity, is_exercise=True,
                                location={"type": "Point", "coordinates": (lon, lat)},
                                description=description, reporter={"name": "drill"})
        with self.store.transaction() as session:
            incident = declare_incident(session=session, clock=self.clock, report=report, actor=DRILL_DUTY_OFFICER)
            return incident.id, self._changes(session)

    def report(self, *, incident_type: str, severity: Severity, lon: float, lat: float, description: str,
               rule: RuleRef) -> tuple[Hashable, bool, Changes]:
        report = IncidentReport(type=incident_type, severity=severity, is_exercise=True,
                                location={"type": "Point", "coordinates": (lon, lat)},
                                description=description, reporter={"name": f"rule {rule}"})
        with self.store.transaction() as session:
            outcome = report_incident(session=session, clock=self.clock, report=report, actor=rule_actor(rule),
                                      policy=DuplicatePolicy())
            return outcome.incident.id, outcome.duplicate is not None, self._changes(session)

    def answer_task(self, key: Hashable, *, complete: bool, note: str = "") -> Changes | None:
        with self.store.transaction() as session:
            task = session.get(Task, key)
            if task is None or not task.status.is_open or (not complete and task.acknowledged_at is not None):
                return None
            answer = Complete(note) if complete else Acknowledge()
            answer_task(session=session, clock=self.clock, principal=self.principals[self.agency_code[task.agency_id]],
                        task_id=task.id, answer=answer)
            return self._changes(session)

    def answer_request(self, key: Hashable, *, choice: str) -> Changes | None:
        with self.store.transaction() as session:
            request = session.get(DutyRequest, key)
            if request is None or request.status is not DutyRequestStatus.OPEN:
                return None
            answer_request(session=session, clock=self.clock, principal=DRILL_DUTY_OFFICER, request_id=request.id,
                           choice=choice)
            return self._changes(session)

    def answer_command(self, key: Hashable, *, confirmed: bool, reason: str = "") -> Changes | None:
        with self.store.transaction() as session:
            if device_confirmations.answer_command(session=session, clock=self.clock, command_id=key,
                                                   confirmed=confirmed, reason=reason) is None:
                return None
            return self._changes(session)

    def fire_due_timers(self) -> tuple[int, Changes]:
        fired = batch = fire_due_timers(store=self.store, clock=self.clock, batch_size=TIMER_BATCH)
        while batch == TIMER_BATCH:  # a full batch may leave more due now: fire them at this instant too
            batch = fire_due_timers(store=self.store, clock=self.clock, batch_size=TIMER_BATCH)
            fired += batch
        with self.store.transaction() as session:
            return fired, self._changes(session)

    def _changes(self, session: Session) -> Changes:
        """What the call inserted (in the call's own transaction), and the next timer due."""
        changes = Changes()
        changes.next_due = session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerStatus.PENDING))
        inserted, self._inserted = self._inserted, []
        for row in inserted:
            if isinstance(row, Incident):
                if row.parent_incident_id is not None:  # spawned by an SOP step; declared ones are the caller's
                    changes.incidents.append(NewIncident(row.id, row.incident_type, row.severity, row.longitude,
                                                         row.latitude, row.parent_incident_id,
                                                         row.spawned_by_step or ""))
            elif isinstance(row, DeviceCommand):
                if row.run_id is not None:  # a step's command (a duty officer's own is no drill's)
                    changes.commands.append(NewCommand(row.command_id, row.incident_id, row.step_id or "",
                                                       row.device_id, row.device.kind))
            elif isinstance(row, Task):
                action = self.definitions[self._sop_of_run[row.run_id]].step(row.step_id).action
                needs = (tuple((t, n) for t, n in action.units if UNIT_TYPES[t] == row.role)
                         if isinstance(action, DispatchAction) else None)
                changes.tasks.append(NewTask(row.id, row.incident_id, row.step_id, row.role,
                                             self.agency_code[row.agency_id], needs))
            elif row.status is DutyRequestStatus.OPEN:
                changes.requests.append(NewRequest(row.id, row.incident_id, row.step_id,
                                                   row.kind is DutyRequestKind.DECISION, tuple(row.options)))
        return changes

    def rows(self) -> tuple[list[IncidentRow], list[TaskRow], list[EscalationRow]]:
        with self.store.transaction() as session:
            sop_of = {run.incident_id: f"{run.sop_id}@v{run.sop_version}"
                      for run in session.scalars(select(SopRunRecord).order_by(SopRunRecord.started_at))}
            incidents = [IncidentRow(i.id, sop_of.get(i.id, ""), i.status.value, i.resolved_at or i.closed_at,
                                     bool(i.is_exercise)) for i in session.scalars(select(Incident))]
            tasks = [TaskRow(t.incident_id, t.step_id, t.role.value, t.agency.code, t.created_at, t.ack_due_at,
                             t.acknowledged_at, t.complete_due_at, t.completed_at, t.status.value,
                             bool(t.incident.is_exercise)) for t in session.scalars(select(Task))]
            escalations = [EscalationRow(e.incident_id, e.step_id, e.rung, e.target.value, e.raised_at)
                           for e in session.scalars(select(Escalation))]
        return incidents, tasks, escalations

    def command_rows(self) -> list[CommandRow]:
        with self.store.transaction() as session:
            exercise = {i.id: bool(i.is_exercise) for i in session.scalars(select(Incident))}
            return [CommandRow(c.incident_id, c.step_id or "", c.device_id, c.device.kind, c.action, c.issued_at,
                               c.due_at, c.answered_at, _COMMAND_STATUS.get(c.status, "sent"),
                               exercise[c.incident_id])
                    for c in session.scalars(select(DeviceCommand).where(DeviceCommand.run_id.is_not(None))).unique()]

    def close(self) -> None:
        for table, name, listener in self._listeners:
            event.remove(table, name, listener)
        self.store.dispose()
