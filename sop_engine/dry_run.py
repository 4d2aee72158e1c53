"""Dry runs: an SOP driven to its end in simulated time against scripted answers, no database.

SOP authors use it (`iccc sop simulate`) to see what their SOP does before an emergency does;
the golden-trace tests use it to pin down what every shipped SOP does; the benchmark uses it to
measure the runtime alone. It drives the real `advance`, so what it shows is what production
does for the same answers.

A script says how the world answers:

    incident: {type: flood, severity: severe, details: {people_trapped: 4}}
    agencies:
      default: {acknowledge: 2m, complete: 20m}
      electricity: {acknowledge: 12m}          # late: the ladder climbs
      traffic: {reject: "all units committed"}
      forest: {uncovered: true}                # no agency of this role covers the incident
      police: {silent: true}                   # never answers
    decisions: {evacuate_or_shelter: {choose: evacuate, after: 4m}}
    notices: {public_warning: {approve: true, after: 3m}}
    dispatch: {send_boats: {confirm: [boat-1, boat-2], after: 6m}}   # else: tasks to the owners
    devices: {warn_drivers: {found: 3, confirm_after: 20s}, sound_sirens: {fail: "no power"}}
    stand_down: {after: 3h, reason: "water receded"}
    until: 12h

Unscripted decisions take their first option after 5 minutes, unscripted public notices are
approved after 3 minutes, unscripted agencies acknowledge after 2 minutes and complete after 20
(or within their deadline, whichever is shorter), and a command step finds its named devices (or
two of its kind) and each confirms after 30 seconds.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Callable

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sop_engine.commands import (
    AskDecision,
    CancelTask,
    CancelTimer,
    Command,
    CommandDevices,
    CreateTask,
    DeadlineMissed,
    Escalate,
    FinishRun,
    PublishNotice,
    RequestDispatch,
    RequestNoticeApproval,
    SendNotice,
    SpawnIncident,
    StartTimer,
)
from sop_engine.definition import SopDefinition
from sop_engine.durations import parse_duration_s
from sop_engine.events import (
    DecisionTaken,
    DeviceAnswered,
    DevicesCommanded,
    DispatchConfirmed,
    Event,
    NoticeApproved,
    NoticeWithheld,
    RunStarted,
    StoodDown,
    TaskAcknowledged,
    TaskCompleted,
    TaskRejected,
    TasksAssigned,
    TimerFired,
)
from sop_engine.run import IncidentFacts, SopRun, StepStatus
from sop_engine.runtime import advance, new_run
from sop_engine.serializer import run_from_json, run_to_json
from sop_engine.vocabulary import INCIDENT_DETAIL_FIELDS, AgencyRole, Severity, units_by_owner
from sop_engine.yaml_source import read_yaml, validate_model

DRY_RUN_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
"""Dry runs start at a fixed instant: their traces show offsets from it, never wall time."""

DEFAULT_ACK_S = 120
DEFAULT_COMPLETE_S = 1_200
DEFAULT_DECISION_S = 300
DEFAULT_APPROVAL_S = 180
DEFAULT_DEVICE_CONFIRM_S = 30


def _duration(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        return parse_duration_s(value)
    raise ValueError("must be a duration such as 30s, 5m or 2h")


DurationS = Annotated[int, BeforeValidator(_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyBehaviour(_Strict):
    """How the agencies of one role answer their tasks."""

    acknowledge: DurationS | None = None
    complete: DurationS | None = None
    reject: str | None = None
    silent: bool = False
    uncovered: bool = False


class DecisionAnswer(_Strict):
    choose: str
    after: DurationS = DEFAULT_DECISION_S


class NoticeAnswer(_Strict):
    approve: bool = True
    after: DurationS = DEFAULT_APPROVAL_S
    reason: str = "not approved"


class DispatchAnswer(_Strict):
    confirm: list[str] = Field(min_length=1)
    after: DurationS = 300


class DeviceAnswer(_Strict):
    """How the devices of one command step answer."""

    found: int = Field(2, ge=0, le=50)
    """How many devices of the step's kind are near the incident (devices named by id are all found)."""
    confirm_after: DurationS = DEFAULT_DEVICE_CONFIRM_S
    fail: str | None = None
    """Every device reports this failure instead of confirming."""
    silent: bool = False


class StandDown(_Strict):
    after: DurationS
    reason: str = "stood down"


class IncidentSpec(_Strict):
    type: str
    severity: Severity
    details: dict[str, int | bool] = {}


class DryRunScript(_Strict):
    """How the world answers a dry run (see the module docstring)."""

    incident: IncidentSpec
    agencies: dict[str, AgencyBehaviour] = {}
    decisions: dict[str, DecisionAnswer] = {}
    notices: dict[str, NoticeAnswer] = {}
    dispatch: dict[str, DispatchAnswer] = {}
    devices: dict[str, DeviceAnswer] = {}
    stand_down: StandDown | None = None
    until: DurationS = 24 * 3_600

    def behaviour_of(self, role: AgencyRole) -> AgencyBehaviour:
        return self.agencies.get(role.value) or self.agencies.get("default") or AgencyBehaviour()

    def facts(self) -> IncidentFacts:
        unknown = sorted(set(self.incident.details) - set(INCIDENT_DETAIL_FIELDS) - {"is_exercise"})
        if unknown:
            raise ValueError(f"unknown incident detail {unknown[0]!r}")
        return IncidentFacts(self.incident.type, self.incident.severity, self.incident.details)


def read_script(text: str, *, source: str) -> DryRunScript:
    """Read a dry-run script from YAML text.

    Raises:
        SopDefinitionError: `source:line: message` for each mistake.
    """
    data, lines = read_yaml(text, source=source)
    return validate_model(DryRunScript, data, lines, source=source)


@dataclass(frozen=True)
class TraceLine:
    at_s: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"+{_clock(self.at_s)} {self.kind:<11} {self.text}"


@dataclass
class DryRunResult:
    run: SopRun
    trace: list[TraceLine]
    events: list[tuple[datetime, Event]] = field(default_factory=list)
    """Every event fed to the run, at its time: replaying them reproduces `run`."""

    def trace_text(self) -> str:
        return "\n".join(str(line) for line in self.trace) + "\n"


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3_600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def dry_run(
    definition: SopDefinition,
    script: DryRunScript,
    *,
    checkpoint: Callable[[SopRun], SopRun] | None = None,
) -> DryRunResult:
    """Drive `definition` to its end (or `script.until`) against `script`; return the trace.

    `checkpoint`, when given, is applied to the run after every event, e.g. to save it to JSON
    and restore it, as a service restart would.
    """
    return _DryRun(definition, script, checkpoint).go()


def save_and_restore(definition: SopDefinition) -> Callable[[SopRun], SopRun]:
    """A checkpoint that serializes the run and reads it back, pinned to `definition`."""

    def round_trip(run: SopRun) -> SopRun:
        return run_from_json(run_to_json(run), definition_for=lambda ref: definition)

    return round_trip


class _DryRun:
    def __init__(self, definition: SopDefinition, script: DryRunScript,
                 checkpoint: Callable[[SopRun], SopRun] | None):
        self.definition = definition
        self.script = script
        self.checkpoint = checkpoint
        self.queue: list[tuple[datetime, int, Event]] = []
        self.sequence = 0
        self.timer_due: dict[str, datetime] = {}
        self.trace: list[TraceLine] = []
        self.events: list[tuple[datetime, Event]] = []
        self.task_roles: dict[str, AgencyRole] = {}
        self.now = DRY_RUN_START

    def go(self) -> DryRunResult:
        facts = self.script.facts()
        run = new_run(run_id="dry-run", definition=self.definition, incident=facts)
        article = "an" if facts.severity is Severity.EXTREME else "a"
        self._note("start", f"{self.definition.ref} for {article} {facts.severity.value} {facts.incident_type}")
        self._at(0, RunStarted(facts))
        if self.script.stand_down is not None:
            self._at(self.script.stand_down.after, StoodDown(self.script.stand_down.reason, "duty-officer"))
        end = DRY_RUN_START + timedelta(seconds=self.script.until)
        while self.queue and not run.is_finished:
            at, _, event = heapq.heappop(self.queue)
            if at > end:
                self.now = end
                self._note("stop", f"the script ends at +{_clock(self.script.until)}; the run is still {run.status.value}")
                break
            if isinstance(event, TimerFired) and self.timer_due.get(event.key) != at:
                continue  # cancelled or moved since it was scheduled
            self.now = at
            pending = deque([event])
            while pending:
                current = pending.popleft()
                self.events.append((at, current))
                before = run
                run, commands = advance(run, current, at)
                if self.checkpoint is not None:
                    run = self.checkpoint(run)
                self._note_steps(before, run, current)
                for command in commands:
                    follow_up = self._execute(command)
                    if follow_up is not None:
                        pending.append(follow_up)
        if not run.is_finished and not self.queue:
            waiting = [name for name, state in run.steps.items() if state.status is StepStatus.ACTIVE]
            self._note("stalled", f"nothing more will happen; still waiting for: {', '.join(waiting)}")
        return DryRunResult(run=run, trace=self.trace, events=self.events)

    # the world

    def _at(self, after_s: int, event: Event) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (self.now + timedelta(seconds=after_s), self.sequence, event))

    def _note(self, kind: str, text: str) -> None:
        self.trace.append(TraceLine(int((self.now - DRY_RUN_START).total_seconds()), kind, text))

    def _note_steps(self, before: SopRun, after: SopRun, event: Event) -> None:
        """Trace each step that settled because of `event` (done, skipped, blocked, failed)."""
        if isinstance(event, DecisionTaken):
            self._note("decided", f"{event.step_id}: {event.option}")
        elif isinstance(event, NoticeWithheld):
            self._note("withheld", f"{event.step_id}: {event.reason}")
        elif isinstance(event, StoodDown):
            self._note("stand-down", event.reason)
        for step in self.definition.steps:
            old, new = before.step_state(step.step_id), after.step_state(step.step_id)
            if new.status is old.status or new.status in (StepStatus.PENDING, StepStatus.ACTIVE):
                continue
            why = f": {new.outcome}" if new.outcome and new.status is not StepStatus.DONE else ""
            self._note(new.status.value, f"{step.step_id}{why}")

    def _execute(self, command: Command) -> Event | None:
        if isinstance(command, CreateTask):
            return self._tasks(command.step_id, [(command.role, command.instruction)], command.complete_due_at)
        if isinstance(command, RequestDispatch):
            answer = self.script.dispatch.get(command.step_id)
            wanted = ", ".join(f"{count} {unit}" for unit, count in command.units)
            if answer is not None:
                self._note("dispatch", f"{command.step_id}: recommendation for {wanted}")
                self._at(answer.after, DispatchConfirmed(command.step_id, tuple(answer.confirm)))
                return None
            tasks = [(role, "Dispatch " + ", ".join(f"{count} x {unit}" for unit, count in wanted))
                     for role, wanted in units_by_owner(command.units).items()]
            return self._tasks(command.step_id, tasks, command.complete_due_at)
        if isinstance(command, CommandDevices):
            return self._command(command)
        if isinstance(command, StartTimer):
            self.timer_due[command.key] = command.due_at
            self.sequence += 1
            heapq.heappush(self.queue, (command.due_at, self.sequence, TimerFired(command.key)))
        elif isinstance(command, CancelTimer):
            self.timer_due.pop(command.key, None)
        elif isinstance(command, DeadlineMissed):
            who = f" by {self.task_roles[command.task_id].value}" if command.task_id else ""
            self._note("missed", f"{command.step_id}: {command.deadline} deadline{who}")
        elif isinstance(command, Escalate):
            self._note("escalate", f"{command.step_id} -> {command.target.value} (rung {command.rung + 1}): {command.reason}")
        elif isinstance(command, CancelTask):
            self._note("cancel", f"task {command.task_id}")
        elif isinstance(command, AskDecision):
            self._ask(command)
        elif isinstance(command, RequestNoticeApproval):
            self._note("approval", f"{command.step_id}: public notice awaits approval: {command.message}")
            answer = self.script.notices.get(command.step_id, NoticeAnswer())
            event = (NoticeApproved(command.step_id, "duty-officer") if answer.approve
                     else NoticeWithheld(command.step_id, "duty-officer", answer.reason))
            self._at(answer.after, event)
        elif isinstance(command, PublishNotice):
            self._note("publish", f"{command.step_id}: {command.message}")
        elif isinstance(command, SendNotice):
            roles = ", ".join(role.value for role in command.roles)
            self._note("notify", f"{command.step_id} -> {roles}: {command.message}")
        elif isinstance(command, SpawnIncident):
            self._note("spawn", f"{command.step_id}: linked {command.severity.value} {command.incident_type}")
        elif isinstance(command, FinishRun):
            failed = f"; failed or blocked: {', '.join(command.failed_steps)}" if command.failed_steps else ""
            outcome = f" ({command.outcome})" if command.outcome else ""
            self._note("finish", f"{command.status.value}{outcome}{failed}")
        return None

    def _command(self, command: CommandDevices) -> DevicesCommanded:
        answer = self.script.devices.get(command.step_id, DeviceAnswer())
        devices = command.device_ids or tuple(f"{command.device_kind}-{n}" for n in range(1, answer.found + 1))
        if not devices:
            self._note("command", f"{command.step_id}: no {command.device_kind} within {command.within_m} m")
            return DevicesCommanded(command.step_id, ())
        command_ids = tuple(f"{command.step_id}/{device}" for device in devices)
        self._note("command", f"{command.step_id} -> {', '.join(devices)}: {command.action} {command.payload}")
        if not answer.silent:
            for command_id in command_ids:
                self._at(answer.confirm_after, DeviceAnswered(command_id, answer.fail is None, answer.fail or ""))
        return DevicesCommanded(command.step_id, command_ids)

    def _ask(self, command: AskDecision) -> None:
        self._note("decide", f"{command.step_id}: {command.question} ({' / '.join(command.options)})")
        answer = self.script.decisions.get(command.step_id)
        if answer is None:
            answer = DecisionAnswer(choose=command.options[0])
        self._at(answer.after, DecisionTaken(command.step_id, answer.choose, "duty-officer"))

    def _tasks(self, step_id: str, work: list[tuple[AgencyRole, str]], complete_due_at: datetime) -> TasksAssigned:
        task_ids = []
        for role, instruction in work:
            behaviour = self.script.behaviour_of(role)
            if behaviour.uncovered:
                self._note("uncovered", f"{step_id}: no {role.value} agency covers the incident")
                continue
            task_id = f"{step_id}/{role.value}"
            task_ids.append(task_id)
            self.task_roles[task_id] = role
            self._note("task", f"{step_id} -> {role.value}: {instruction}")
            if behaviour.silent:
                continue
            if behaviour.reject is not None:
                self._at(DEFAULT_ACK_S, TaskRejected(task_id, behaviour.reject))
                continue
            deadline_s = int((complete_due_at - self.now).total_seconds())
            acknowledge_s = behaviour.acknowledge if behaviour.acknowledge is not None else DEFAULT_ACK_S
            complete_s = behaviour.complete if behaviour.complete is not None else min(DEFAULT_COMPLETE_S, deadline_s)
            self._at(acknowledge_s, TaskAcknowledged(task_id))
            self._at(max(complete_s, acknowledge_s), TaskCompleted(task_id))
        return TasksAssigned(step_id, tuple(task_ids))


