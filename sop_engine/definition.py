"""An SOP as the runtime sees it: frozen, versioned, free of any running state.

A definition never refers to a run; runs refer to definitions by `SopRef`, so editing an SOP
(uploading a new version) never changes an incident that is already running.
"""

from __future__ import annotations

from dataclasses import dataclass

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
class Step:
    """One step of an SOP; it starts when every step in `after` is done."""

    step_id: str
    task: TaskAction
    after: tuple[str, ...] = ()
    ack_within_s: int = 300
    complete_within_s: int = 3_600
    escalation: tuple[EscalationRung, ...] = ()
    line: int = 0


DEFAULT_LADDER = (EscalationRung(EscalationTarget.DUTY_OFFICER, 600),)
"""Used when a step names no ladder: a missed deadline always reaches a human."""


@dataclass(frozen=True)
class SopDefinition:
    """A complete, validated SOP version."""

    ref: SopRef
    title: str
    trigger: Trigger
    target_s: int
    steps: tuple[Step, ...]
    source: str = "<memory>"

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(step_id)

    def ladder_for(self, step_id: str) -> tuple[EscalationRung, ...]:
        return self.step(step_id).escalation or DEFAULT_LADDER
