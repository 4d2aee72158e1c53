"""The production world: the real coordination services over an in-memory SQLite store.

Each replication gets its own database (schema from the production migrations, SOPs through
the production catalogue), so replications share nothing and run in parallel processes.
After every service call the world reads back what the services wrote since `now` (new
incidents, tasks, duty officer requests, the next pending timer) and reports it as `Changes`.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from pathlib import Path

from sqlalchemy import func, select

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
from coordination.lifecycles import DutyRequestKind, DutyRequestStatus
from coordination.sop_catalogue import definition_for
from coordination.store.tables import DutyRequest, Escalation, Incident, SopRunRecord, Task, Timer
from simulation.scenario import Scenario
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
        self._known: set[uuid.UUID] = set()

    def declare(self, *, incident_type: str, severity: Severity, lon: float, lat: float,
                description: str) -> tuple[Hashable, Changes]:
        report = IncidentReport(type=incident_type, severity=severity, is_exercise=True,
                                location={"type": "Point", "coordinates": (lon, lat)},
                                description=description, reporter={"name": "drill"})
        with self.store.transaction() as session:
            incident = declare_incident(session=session, clock=self.clock, report=report, actor=DRILL_DUTY_OFFICER)
            self._known.add(incident.id)
        return incident.id, self._changes()

    def answer_task(self, key: Hashable, *, complete: bool, note: str = "") -> Changes | None:
        with self.store.transaction() as session:
            task = session.get(Task, key)
            if task is None or not task.status.is_open or (not complete and task.acknowledged_at is not None):
                return None
            answer = Complete(note) if complete else Acknowledge()
            answer_task(session=session, clock=self.clock, principal=self.principals[task.agency.code],
                        task_id=task.id, answer=answer)
        return self._changes()

    def answer_request(self, key: Hashable, *, choice: str) -> Changes | None:
        with self.store.transaction() as session:
            request = session.get(DutyRequest, key)
            if request is None or request.status is not DutyRequestStatus.OPEN:
                return None
            answer_request(session=session, clock=self.clock, principal=DRILL_DUTY_OFFICER, request_id=request.id,
                           choice=choice)
        return self._changes()

    def fire_due_timers(self) -> tuple[int, Changes]:
        fired = batch = fire_due_timers(store=self.store, clock=self.clock, batch_size=TIMER_BATCH)
        while batch == TIMER_BATCH:  # a full batch may leave more due now: fire them at this instant too
            batch = fire_due_timers(store=self.store, clock=self.clock, batch_size=TIMER_BATCH)
            fired += batch
        return fired, self._changes()

    def _changes(self) -> Changes:
        now = self.clock.now()
        changes = Changes()
        with self.store.transaction() as session:
            for child in session.scalars(select(Incident).where(Incident.declared_at >= now)):
                if child.id not in self._known:
                    self._known.add(child.id)
                    changes.incidents.append(NewIncident(child.id, child.incident_type, child.severity,
                                                         child.longitude, child.latitude, child.parent_incident_id,
                                                         child.spawned_by_step or ""))
            rows = session.execute(
                select(Task, SopRunRecord.sop_id, SopRunRecord.sop_version)
                .join(SopRunRecord, SopRunRecord.id == Task.run_id).where(Task.created_at >= now)
            ).all()
            for task, sop_id, version in rows:
                if task.id in self._known:
                    continue
                self._known.add(task.id)
                action = definition_for(session, SopRef(sop_id, version)).step(task.step_id).action
                needs = (tuple((t, n) for t, n in action.units if UNIT_TYPES[t] == task.role)
                         if isinstance(action, DispatchAction) else None)
                changes.tasks.append(NewTask(task.id, task.incident_id, task.step_id, task.role, task.agency.code,
                                             needs))
            for request in session.scalars(select(DutyRequest).where(
                    DutyRequest.created_at >= now, DutyRequest.status == DutyRequestStatus.OPEN)):
                if request.id not in self._known:
                    self._known.add(request.id)
                    changes.requests.append(NewRequest(request.id, request.incident_id, request.step_id,
                                                       request.kind is DutyRequestKind.DECISION,
                                                       tuple(request.options)))
            changes.next_due = session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerStatus.PENDING))
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

    def close(self) -> None:
        self.store.dispose()
