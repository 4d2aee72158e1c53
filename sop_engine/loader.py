"""Read SOP files (YAML) into definitions, reporting every problem with its file and line.

The shape is checked by pydantic models (unknown keys, wrong types, bad durations); the
meaning (references, cycles) by `validator`. Errors from both are mapped back to the line
of the YAML node they concern.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from sop_engine.definition import (
    EscalationRung,
    SopDefinition,
    SopRef,
    Step,
    TaskAction,
    Trigger,
)
from sop_engine.durations import parse_duration_s
from sop_engine.errors import SopDefinitionError, SourceProblem
from sop_engine.validator import check_meaning
from sop_engine.vocabulary import INCIDENT_TYPES, AgencyRole, EscalationTarget, Severity

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


DurationS = Annotated[int, BeforeValidator(_duration)]
IncidentType = Annotated[str, BeforeValidator(_incident_type)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class _TaskModel(_Model):
    role: AgencyRole
    do: str = Field(min_length=1)


class _RungModel(_Model):
    to: EscalationTarget
    within: DurationS = 600


class _StepModel(_Model):
    id: str = Field(pattern=_IDENTIFIER)
    task: _TaskModel
    after: list[str] = []
    ack_within: DurationS = 300
    complete_within: DurationS = 3_600
    escalate: list[_RungModel] = []


class _TriggerModel(_Model):
    incident_types: list[IncidentType] = Field(min_length=1)
    min_severity: Severity = Severity.MINOR


class _SopModel(_Model):
    id: str = Field(pattern=_IDENTIFIER)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    trigger: _TriggerModel
    target: DurationS
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
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(error, "problem", None) or str(error)
        raise SopDefinitionError([SourceProblem(source, line, f"YAML syntax error: {reason}")]) from error
    if root is None:
        raise SopDefinitionError([SourceProblem(source, 1, "the file is empty")])

    lines: dict[tuple[Any, ...], int] = {}
    problems: list[SourceProblem] = []
    data = _plain(root, (), lines, problems, source)
    if problems:
        raise SopDefinitionError(problems)
    if not isinstance(data, dict):
        raise SopDefinitionError([SourceProblem(source, root.start_mark.line + 1, "an SOP must be a mapping")])
    try:
        model = _SopModel.model_validate(data)
    except ValidationError as error:
        raise SopDefinitionError(_problems_from(error, lines, source)) from error

    definition = _definition_from(model, lines, source)
    problems = check_meaning(definition, lines_by_path=lines)
    if problems:
        raise SopDefinitionError(problems)
    return definition


def _plain(node: yaml.Node, path: tuple[Any, ...], lines: dict, problems: list, source: str) -> Any:
    """Turn a YAML node into plain data, recording each path's line and refusing duplicate keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(SourceProblem(source, key_node.start_mark.line + 1, "keys must be plain words"))
                continue
            key = key_node.value
            if key in result:
                problems.append(SourceProblem(source, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
                continue
            result[key] = _plain(value_node, (*path, key), lines, problems, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, index), lines, problems, source) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def _problems_from(error: ValidationError, lines: dict, source: str) -> list[SourceProblem]:
    problems = []
    for detail in error.errors():
        location = tuple(detail["loc"])
        line = _nearest_line(location, lines)
        field = ".".join(str(part) for part in location)
        if detail["type"] == "extra_forbidden":
            message = f"unknown key {location[-1]!r}"
        elif detail["type"] == "missing":
            message = f"missing key {location[-1]!r}"
        else:
            message = detail["msg"].removeprefix("Value error, ")
        problems.append(SourceProblem(source, line, f"{field}: {message}" if field else message, field))
    return problems


def _nearest_line(location: tuple[Any, ...], lines: dict) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


def _definition_from(model: _SopModel, lines: dict, source: str) -> SopDefinition:
    steps = tuple(
        Step(
            step_id=step.id,
            task=TaskAction(role=step.task.role, instruction=step.task.do),
            after=tuple(step.after),
            ack_within_s=step.ack_within,
            complete_within_s=step.complete_within,
            escalation=tuple(EscalationRung(rung.to, rung.within) for rung in step.escalate),
            line=lines.get(("steps", index), 0),
        )
        for index, step in enumerate(model.steps)
    )
    return SopDefinition(
        ref=SopRef(model.id, model.version),
        title=model.title,
        trigger=Trigger(frozenset(model.trigger.incident_types), model.trigger.min_severity),
        target_s=model.target,
        steps=steps,
        source=source,
    )
