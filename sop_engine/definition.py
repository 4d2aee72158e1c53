"""An SOP as the runtime sees it: frozen, versioned, free of any running state.

A definition never refers to a run; runs refer to definitions by `SopRef`, so editing an SOP
(uploading a new version) never changes an incident that is already running.

A step does one thing (its *action*: a task, a decision, a notice, a dispatch, a device
command, a wait, a spawned incident or the end of the run), starts when its predecessors allow (`after` and
`join`), and only if its `when` condition holds for the incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping, Union

from sop_engine.conditions import Condition, condition_text
from sop_engine.vocabulary import AgencyRole, EscalationTarget, Severity


@dataclass(frozen=True, order=True)
class SopRef:
    """The exact SOP version a run follows."""

    sop_id: str
    version: int

    def __str__(self) -> str:
        return f"{self.sop_id}@v{self.version}"


@dataclass(frozen=True)
class Trigger:
    """Which incidents start this SOP."""

    incident_types: frozenset[str]
    min_severity: Severity = Severity.MINOR

    def matches(self, incident_type: str, severity: Severity) -> bool:
        return incident_type in self.incident_types and severity.rank >= self.min_severity.rank

    def severities(self) -> tuple[Severity, ...]:
        return tuple(severity for severity in Severity if severity.rank >= self.min_severity.rank)


@dataclass(frozen=True)
class EscalationRung:
    """One rung of a ladder: who is told, and how long they have before the next rung is."""

    target: EscalationTarget
    within_s: int


@dataclass(frozen=True)
class TaskAction:
    """Work for the agency of `role` whose jurisdiction covers the incident."""

    role: AgencyRole
    instruction: str


@dataclass(frozen=True)
class DecisionAction:
    """A choice the duty officer makes among named options; later steps follow the choice."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class NotifyAction:
    """A notice to agencies (sent at once) or to the public (sent once a duty officer approves)."""

    message: str
    roles: tuple[AgencyRole, ...] = ()
    public: bool = False


@dataclass(frozen=True)
class DispatchAction:
    """Units to send, by type: handed to the dispatch service, or a task to each owning agency."""

    units: tuple[tuple[str, int], ...]
    """(unit type, count) pairs in the order the author wrote them."""


@dataclass(frozen=True)
class DeviceCommandAction:
    """Command the city's devices (message signs, sirens, pumps, barriers) and wait for them to confirm.

    The devices are named (`device_ids`) or chosen by kind within `within_m` metres of the
    incident; which ones exist is the registry's business, not the SOP's. Each gets `action`
    with `payload`; the step is done when every command is answered and one at least confirmed,
    and the step's deadline (`complete_within`) is the time the devices have to confirm.
    """

    action: str
    payload: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    device_kind: str | None = None
    device_ids: tuple[str, ...] = ()
    within_m: int | None = None
    skip_if_none: bool = False
    """With no device found, skip the step (nothing to command near this incident) rather than
    fail it and escalate (a device the SOP relies on is missing)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))

    def __hash__(self) -> int:
        return hash((self.action, self.device_kind, self.device_ids, self.within_m, self.skip_if_none))

    @property
    def devices_text(self) -> str:
        """Which devices, in words: `message signs within 2000 m` or `vms-01, vms-02`."""
        if self.device_ids:
            return ", ".join(self.device_ids)
        return f"{str(self.device_kind).replace('_', ' ')}s within {self.within_m} m"

    @property
    def none_found_text(self) -> str:
        """Why a command found no device to send to, in words."""
        if self.device_ids:
            return f"none of {', '.join(self.device_ids)} is registered"
        return f"no {str(self.device_kind).replace('_', ' ')} is registered within {self.within_m} m of the incident"


@dataclass(frozen=True)
class WaitAction:
    """Pause this branch for a fixed time (e.g. let the water recede before re-energising)."""

    duration_s: int


@dataclass(frozen=True)
class SpawnAction:
    """Declare a linked incident of another type, which starts its own SOP."""

    incident_type: str
    severity: Severity | None = None
    """None: the same severity as this incident."""


@dataclass(frozen=True)
class EndAction:
    """Finish the run here: open work elsewhere in the SOP is cancelled."""

    outcome: str = "resolved"


Action = Union[TaskAction, DecisionAction, NotifyAction, DispatchAction, DeviceCommandAction, WaitAction, SpawnAction,
               EndAction]

ACTION_KINDS: dict[type, str] = {
    TaskAction: "task",
    DecisionAction: "decision",
    NotifyAction: "notify",
    DispatchAction: "dispatch",
    DeviceCommandAction: "command",
    WaitAction: "wait",
    SpawnAction: "spawn",
    EndAction: "end",
}


class JoinRule(str, Enum):
    """How a step with several predecessors waits for them."""

    ALL = "all"
    """Start when every predecessor is done (and any named decision option was chosen)."""
    ANY = "any"
    """Start as soon as one predecessor is done; the others no longer matter to this step."""


@dataclass(frozen=True)
class Predecessor:
    """A step this one waits for; with `option`, only if that decision chose this option."""

    step_id: str
    option: str | None = None

    def __str__(self) -> str:
        return self.step_id if self.option is None else f"{self.step_id} == {self.option}"


@dataclass(frozen=True)
class Step:
    """One step of an SOP."""

    step_id: str
    action: Action
    after: tuple[Predecessor, ...] = ()
    join: JoinRule = JoinRule.ALL
    when: Condition | None = None
    ack_within_s: int = 300
    """Tasks and fallback dispatch tasks: time for the agency to acknowledge."""
    complete_within_s: int = 3_600
    """Time for the step's work: a task's completion, a decision, a notice's approval, a
    dispatch's or a device command's confirmation. Waits, spawns, agency notices and ends take no time."""
    escalation: tuple[EscalationRung, ...] = ()
    line: int = 0
    title: str = ""
    """The step in words for people; its id said in words when the SOP gives none."""

    @property
    def label(self) -> str:
        """What people read for this step: its title, or its id in words (`close_road` -> `close road`)."""
        return self.title or self.step_id.replace("_", " ").replace("-", " ")

    @property
    def kind(self) -> str:
        return ACTION_KINDS[type(self.action)]

    @property
    def task(self) -> TaskAction:
        """The task of a task step (an error for other kinds)."""
        if not isinstance(self.action, TaskAction):
            raise TypeError(f"step {self.step_id!r} is a {self.kind} step, not a task")
        return self.action

    @property
    def duration_s(self) -> int:
        """How long this step may take by its deadlines: its weight on the critical path."""
        action = self.action
        if isinstance(action, WaitAction):
            return action.duration_s
        if isinstance(action, (SpawnAction, EndAction)):
            return 0
        if isinstance(action, NotifyAction) and not action.public:
            return 0
        return self.complete_within_s

    @property
    def when_text(self) -> str | None:
        return condition_text(self.when) if self.when is not None else None


AGENCY_TARGETS = frozenset({EscalationTarget.AGENCY_SUPERVISOR, EscalationTarget.AGENCY_HEAD})
"""Rungs addressed to the agency that holds a task; meaningless where no agency holds one."""

DEFAULT_LADDER = (EscalationRung(EscalationTarget.DUTY_OFFICER, 600),)
"""Used when a step names no ladder: a missed deadline always reaches a human."""

DECISION_LADDER = (
    EscalationRung(EscalationTarget.DUTY_OFFICER, 600),
    EscalationRung(EscalationTarget.DISTRICT_AUTHORITY, 900),
)
"""Used for duty-officer work (decisions, notice approvals) with no ladder of its own: a
decision nobody takes goes above the duty officer rather than back to them forever."""


@dataclass(frozen=True)
class SopDefinition:
    """A complete, validated SOP version."""

    ref: SopRef
    title: str
    trigger: Trigger
    target_s: int
    steps: tuple[Step, ...]
    source: str = "<memory>"
    _by_id: Mapping[str, Step] = field(init=False, repr=False, compare=False)
    _successors: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _position: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _plan: Any = field(init=False, default=None, repr=False, compare=False)
    """The runtime's `SopPlan` of this version, built on first use (see `step_plan`)."""

    def __post_init__(self) -> None:
        # Look-ups the runtime makes on every event, computed once per definition.
        by_id: dict[str, Step] = {}
        successors: dict[str, list[str]] = {step.step_id: [] for step in self.steps}
        for step in self.steps:
            by_id.setdefault(step.step_id, step)
            for before in step.after:
                if before.step_id in successors and step.step_id not in successors[before.step_id]:
                    successors[before.step_id].append(step.step_id)
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        position: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            position.setdefault(step.step_id, index)
        object.__setattr__(self, "_position", MappingProxyType(position))
        object.__setattr__(
            self, "_successors", MappingProxyType({name: tuple(after) for name, after in successors.items()})
        )

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id]

    def position_of(self, step_id: str) -> int:
        """Where the step is written (the runtime examines ready steps in this order)."""
        return self._position[step_id]

    def successors_of(self, step_id: str) -> tuple[str, ...]:
        """The steps that wait for `step_id`, in the order they are written."""
        return self._successors.get(step_id, ())

    def step_deadline_ladder_for(self, step_id: str) -> tuple[EscalationRung, ...]:
        """The ladder for a deadline the duty officer owns (a decision, an approval, a dispatch's
        or a device command's confirmation): the step's ladder without agency rungs, which have no agency to address."""
        rungs = tuple(rung for rung in self.ladder_for(step_id) if rung.target not in AGENCY_TARGETS)
        return rungs or DECISION_LADDER

    def ladder_for(self, step_id: str) -> tuple[EscalationRung, ...]:
        step = self.step(step_id)
        if step.escalation:
            return step.escalation
        if isinstance(step.action, (DecisionAction, NotifyAction)):
            return DECISION_LADDER
        return DEFAULT_LADDER
