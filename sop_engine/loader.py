"""Read SOP files (YAML) into definitions, reporting every problem with its file and line.

The shape is checked by pydantic models (unknown keys, wrong types, bad durations); the
meaning (references, cycles) by `validator`. Errors from both are mapped back to the line
of the YAML node they concern.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from sop_engine.conditions import Condition, ConditionError, parse_condition
from sop_engine.definition import (
    Action,
    DecisionAction,
    DeviceCommandAction,
    DispatchAction,
    EndAction,
    EscalationRung,
    JoinRule,
    NotifyAction,
    Predecessor,
    SopDefinition,
    SopRef,
    SpawnAction,
    Step,
    TaskAction,
    Trigger,
    WaitAction,
)
from sop_engine.durations import parse_duration_s
from sop_engine.errors import SopDefinitionError, SourceProblem
from sop_engine.validator import check_meaning
from sop_engine.yaml_source import read_yaml, validate_model
from sop_engine.vocabulary import INCIDENT_TYPES, UNIT_TYPES, AgencyRole, EscalationTarget, Severity

_IDENTIFIER = r"^[a-z][a-z0-9_\-]{0,62}$"


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("must be a duration such as 30s, 5m or 2h")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("must be longer than zero")
        return value
    return parse_duration_s(value)


def _incident_type(value: Any) -> str:
    if value not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident type {value!r}; known: {', '.join(sorted(INCIDENT_TYPES))}")
    return value


def _unit_type(value: Any) -> str:
    if value not in UNIT_TYPES:
        raise ValueError(f"unknown unit type {value!r}; known: {', '.join(sorted(UNIT_TYPES))}")
    return value


DurationS = Annotated[
    int, BeforeValidator(_duration), WithJsonSchema({"type": ["string", "integer"], "examples": ["5m", "1h30m"]})
]
IncidentType = Annotated[str, BeforeValidator(_incident_type), WithJsonSchema({"enum": sorted(INCIDENT_TYPES)})]
UnitType = Annotated[str, BeforeValidator(_unit_type), WithJsonSchema({"enum": sorted(UNIT_TYPES)})]
Identifier = Annotated[str, Field(pattern=_IDENTIFIER)]
PositiveCount = Annotated[int, Field(ge=1, le=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class _TaskModel(_Model):
    role: AgencyRole
    do: str = Field(min_length=1)


class _DecisionModel(_Model):
    question: str = Field(min_length=1)
    options: list[Identifier] = Field(min_length=2)
    by: Literal["duty_officer"] = "duty_officer"
    within: DurationS | None = None

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[str]) -> list[str]:
        repeated = sorted({option for option in options if options.count(option) > 1})
        if repeated:
            raise ValueError(f"option {repeated[0]!r} is listed twice")
        return options


def _audience(value: Any) -> Any:
    if value == "public":
        return value
    if not isinstance(value, list) or not value:
        raise ValueError("must be `public` or a list of agency roles such as [police, traffic]")
    roles = []
    for item in value:
        try:
            roles.append(AgencyRole(item))
        except ValueError:
            known = ", ".join(role.value for role in AgencyRole)
            raise ValueError(f"unknown agency role {item!r}; known: {known}") from None
    return roles


Audience = Annotated[
    Any,
    BeforeValidator(_audience),
    WithJsonSchema({"oneOf": [{"const": "public"}, {"type": "array", "minItems": 1,
                                                   "items": {"enum": [role.value for role in AgencyRole]}}]}),
]


class _NotifyModel(_Model):
    to: Audience = Field(
        description="`public` (a CAP alert, after the duty officer approves it) or a list of agency roles"
    )
    message: str = Field(min_length=1)
    within: DurationS | None = Field(None, description="Time for the duty officer to approve a public notice")


_DEVICE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
PayloadValue = Annotated[str, Field(max_length=500)] | int | float | bool


class _CommandModel(_Model):
    """Devices to command: named by `ids`, or every device of `kind` within `within_m` of the incident."""

    kind: Identifier | None = Field(None, description="A device kind of the registry, e.g. `message_sign`, `siren`")
    within_m: int | None = Field(None, ge=1, le=50_000,
                                 description="With `kind`: how far from the incident, in metres")
    ids: list[Annotated[str, Field(pattern=_DEVICE_ID)]] = Field(
        [], max_length=50, description="With no `kind`: the devices by their registry ids")
    action: Identifier = Field(description="What the devices do, e.g. `display`, `sound`, `start`, `close`")
    payload: dict[Identifier, PayloadValue] = Field(
        {}, max_length=20, description="What the action needs, e.g. `{text: Road flooded - use NH48}`")
    within: DurationS | None = Field(None, description="Time for every device to confirm")
    if_none: Literal["fail", "skip"] = Field(
        "fail", description="With no device found: `fail` the step and escalate (default), or `skip` it")

    @model_validator(mode="after")
    def _devices_named_once(self) -> "_CommandModel":
        if (self.kind is None) == (not self.ids):
            raise ValueError("name the devices by `kind` (with `within_m`) or by `ids`, not both or neither")
        if self.kind is not None and self.within_m is None:
            raise ValueError("`kind` needs `within_m`: how far from the incident to command them")
        if self.kind is None and self.within_m is not None:
            raise ValueError("`within_m` goes with `kind`; devices named by `ids` are commanded wherever they are")
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("a device is listed twice in `ids`")
        return self


class _SpawnModel(_Model):
    incident_type: IncidentType
    severity: Severity | None = None


class _EndModel(_Model):
    outcome: Identifier = "resolved"


class _RungModel(_Model):
    to: EscalationTarget
    within: DurationS = 600


class _StepModel(_Model):
    id: Identifier
    title: str | None = Field(None, min_length=1, max_length=120,
                              description="The step in words for people (shown instead of its id), e.g. `Confirm extent "
                                          "and depth`")
    after: list[str] = Field(
        [], description="Steps this one waits for; `step == option` waits for a decision's option"
    )
    join: JoinRule = JoinRule.ALL
    when: str | None = Field(None, description="A condition on the incident, e.g. `incident.severity >= severe`")
    task: _TaskModel | None = None
    decision: _DecisionModel | None = None
    notify: _NotifyModel | None = None
    dispatch: dict[UnitType, PositiveCount] | None = Field(None, description="Unit type to count")
    command: _CommandModel | None = None
    wait: DurationS | None = None
    spawn: _SpawnModel | None = None
    end: _EndModel | None = None
    ack_within: DurationS = 300
    complete_within: DurationS | None = None
    escalate: list[_RungModel] = []

    @model_validator(mode="after")
    def _one_action(self) -> "_StepModel":
        given = [kind for kind in _ACTION_KEYS if getattr(self, kind) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"a step does exactly one of {', '.join(_ACTION_KEYS)} (found: {found})")
        if self.dispatch is not None and not self.dispatch:
            raise ValueError("a dispatch step names at least one unit type")
        inner = getattr(self, given[0])
        if getattr(inner, "within", None) is not None and self.complete_within is not None:
            raise ValueError(f"give the deadline once: {given[0]}.within or complete_within")
        return self


_ACTION_KEYS = ("task", "decision", "notify", "dispatch", "command", "wait", "spawn", "end")


class _TriggerModel(_Model):
    incident_types: list[IncidentType] = Field(min_length=1)
    min_severity: Severity = Severity.MINOR


class _SopModel(_Model):
    """An SOP: one YAML file. See README, "Writing SOPs"."""

    model_config = ConfigDict(title="ICCC standard operating procedure")

    id: Identifier
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    trigger: _TriggerModel
    target: DurationS = Field(description="Time within which the whole SOP should be done")
    steps: list[_StepModel] = Field(min_length=1)


def load_sop_file(path: str | Path) -> SopDefinition:
    """Load and validate the SOP in `path`.

    Raises:
        SopDefinitionError: with one `file:line: message` problem per mistake found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SopDefinitionError([SourceProblem(str(path), 0, f"cannot read the file: {error}")]) from error
    return load_sop_text(text, source=str(path))


def load_sop_text(text: str, *, source: str = "<text>") -> SopDefinition:
    """Load and validate an SOP given as YAML text; `source` names it in error messages.

    Raises:
        SopDefinitionError: with one `source:line: message` problem per mistake found.
    """
    data, lines = read_yaml(text, source=source)
    model = validate_model(_SopModel, data, lines, source=source)
    definition = _definition_from(model, lines, source)
    problems = check_meaning(definition, lines_by_path=lines)
    if problems:
        raise SopDefinitionError(problems)
    return definition


_PREDECESSOR = re.compile(r"^\s*([a-z][a-z0-9_\-]{0,62})\s*(?:==\s*([a-z][a-z0-9_\-]{0,62})\s*)?$")


def _definition_from(model: _SopModel, lines: dict, source: str) -> SopDefinition:
    problems: list[SourceProblem] = []
    steps = tuple(_step_from(index, step, lines, source, problems) for index, step in enumerate(model.steps))
    if problems:
        raise SopDefinitionError(problems)
    return SopDefinition(
        ref=SopRef(model.id, model.version),
        title=model.title,
        trigger=Trigger(frozenset(model.trigger.incident_types), model.trigger.min_severity),
        target_s=model.target,
        steps=steps,
        source=source,
    )


def _step_from(index: int, step: _StepModel, lines: dict, source: str, problems: list[SourceProblem]) -> Step:
    after = []
    for position, text in enumerate(step.after):
        match = _PREDECESSOR.match(text)
        if match is None:
            line = lines.get(("steps", index, "after", position), 0)
            problems.append(
                SourceProblem(
                    source, line, f"steps.{index}.after.{position}: {text!r} is not `step` or `step == option`",
                    f"steps.{index}.after.{position}",
                )
            )
            continue
        after.append(Predecessor(match.group(1), match.group(2)))
    condition: Condition | None = None
    if step.when is not None:
        try:
            condition = parse_condition(step.when)
        except ConditionError as error:
            line = lines.get(("steps", index, "when"), 0)
            problems.append(SourceProblem(source, line, f"steps.{index}.when: {error}", f"steps.{index}.when"))
    action, inner_within = _action_from(step)
    return Step(
        step_id=step.id,
        action=action,
        after=tuple(after),
        join=step.join,
        when=condition,
        ack_within_s=step.ack_within,
        complete_within_s=inner_within or step.complete_within or _DEFAULT_COMPLETE_WITHIN_S[type(action)],
        escalation=tuple(EscalationRung(rung.to, rung.within) for rung in step.escalate),
        line=lines.get(("steps", index), 0),
        title=step.title or "",
    )


_DEFAULT_COMPLETE_WITHIN_S: dict[type, int] = {
    TaskAction: 3_600,
    DecisionAction: 900,
    NotifyAction: 900,
    DispatchAction: 600,
    DeviceCommandAction: 300,
    WaitAction: 3_600,
    SpawnAction: 3_600,
    EndAction: 3_600,
}
"""Deadlines for a step that names none: an hour for work, a quarter of an hour for a duty
officer's decision or approval, ten minutes to confirm a dispatch, five for devices to confirm
a command (a sign or a siren answers in seconds; five minutes allows for a slow field link)."""


def _action_from(step: _StepModel) -> tuple[Action, int | None]:
    """Return the step's action and the deadline written inside it (`within`), if any."""
    if step.task is not None:
        return TaskAction(role=step.task.role, instruction=step.task.do), None
    if step.decision is not None:
        return DecisionAction(question=step.decision.question, options=tuple(step.decision.options)), step.decision.within
    if step.notify is not None:
        public = step.notify.to == "public"
        roles = () if public else tuple(step.notify.to)
        return NotifyAction(message=step.notify.message, roles=roles, public=public), step.notify.within
    if step.dispatch is not None:
        return DispatchAction(units=tuple(step.dispatch.items())), None
    if step.command is not None:
        command = step.command
        return DeviceCommandAction(action=command.action, payload=command.payload, device_kind=command.kind,
                                   device_ids=tuple(command.ids), within_m=command.within_m,
                                   skip_if_none=command.if_none == "skip"), command.within
    if step.wait is not None:
        return WaitAction(duration_s=step.wait), None
    if step.spawn is not None:
        return SpawnAction(incident_type=step.spawn.incident_type, severity=step.spawn.severity), None
    assert step.end is not None
    return EndAction(outcome=step.end.outcome), None


def sop_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the SOP format (the shape; the validator checks the meaning).

    The same document is shipped as `sop_engine/sop.schema.json` for editors and other tools;
    a test keeps the file equal to this.
    """
    schema = _SopModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://iccc.example/schemas/sop.schema.json"
    return schema
