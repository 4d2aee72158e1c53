"""Read trigger-rule files (YAML) into definitions, every problem reported with its file and line,
as SOP files are (`sop_engine.yaml_source`: the same line mapping, the same message shape).

```yaml
id: drains-flood                  # lower-case identifier; with `version`, what an episode pins
version: 1
title: Three drains over their mark near one another is a flood
sensors: {kind: water_level, unit: m}           # optional `ids: [...]` to watch only those
correlation: {above: 0.6, at_least: 3, within_m: 1500, within: 30m}
bands: {severe: 1.0, extreme: 1.5}              # severity from the reading
declare: {incident_type: flood, severity: moderate}
```

A rule has exactly one condition (`threshold`, `rate`, `correlation`, `stale`) and one action
(`declare`, `alert`, `maintenance`); see README, "Trigger rules".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from coordination.rules.definition import (
    Action,
    AlertOfficer,
    Band,
    Condition,
    Correlation,
    DeclareIncident,
    Direction,
    MaintenanceTask,
    RateOfChange,
    RuleDefinition,
    ANY_KIND,
    RuleRef,
    Staleness,
    Threshold,
)
from sop_engine import INCIDENT_TYPES, Severity, SopDefinitionError, SourceProblem, parse_duration_s
from sop_engine.yaml_source import read_yaml, validate_model

_IDENTIFIER = r"^[a-z][a-z0-9_\-]{0,62}$"
_SENSOR_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"


class RuleDefinitionError(SopDefinitionError):
    """A trigger-rule file is invalid; `problems` point at the offending lines (the same shape as
    an SOP file's problems, so every reader of those reads these)."""


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("must be a duration such as 30s, 5m or 2h")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    return parse_duration_s(value)


def _incident_type(value: Any) -> str:
    if value not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident type {value!r}; known: {', '.join(sorted(INCIDENT_TYPES))}")
    return value


DurationS = Annotated[
    int, BeforeValidator(_duration), WithJsonSchema({"type": ["string", "integer"], "examples": ["5m", "1h30m"]})
]
IncidentType = Annotated[str, BeforeValidator(_incident_type), WithJsonSchema({"enum": sorted(INCIDENT_TYPES)})]
Identifier = Annotated[str, Field(pattern=_IDENTIFIER)]
SensorId = Annotated[str, Field(pattern=_SENSOR_ID)]
Level = Annotated[float, Field(allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class _SensorsModel(_Model):
    kind: Annotated[str, Field(pattern=r"^(\*|[a-z][a-z0-9_\-]{0,62})$")] = Field(
        description="The sensor kind the rule watches (water_level, rain_gauge, ...); `*` (stale rules only): every kind")
    unit: str = Field("", max_length=32, description="The unit the rule's levels are written in; none for kinds "
                                                     "whose readings are true or false (1 or 0 to a rule)")
    ids: list[SensorId] = Field([], description="Only these sensors (default: every sensor of the kind)")


class _SideModel(_Model):
    above: Level | None = None
    below: Level | None = None

    def side(self) -> tuple[Direction, float]:
        if self.above is not None:
            return Direction.ABOVE, self.above
        assert self.below is not None
        return Direction.BELOW, self.below

    @model_validator(mode="after")
    def _one_side(self) -> "_SideModel":
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of `above` and `below`")
        return self


class _ThresholdModel(_SideModel):
    clear_at: Level = Field(description="The level at which an episode clears (hysteresis)")
    for_: DurationS = Field(0, alias="for", description="How long the level must hold before the rule fires")


class _RateModel(_Model):
    drop: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    rise: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    within: DurationS

    @model_validator(mode="after")
    def _one_way(self) -> "_RateModel":
        if (self.drop is None) == (self.rise is None):
            raise ValueError("give exactly one of `drop` and `rise`")
        if self.within <= 0:
            raise ValueError("`within` must be longer than zero")
        return self


class _CorrelationModel(_SideModel):
    at_least: Annotated[int, Field(ge=2, le=1000)]
    within_m: Annotated[float, Field(gt=0, le=100_000, allow_inf_nan=False)]
    within: DurationS
    marks: dict[SensorId, Level] = Field({}, description="A sensor's own mark, where it differs")
    clear_at: Level | None = Field(None, description="The level at which a sensor leaves the cluster (hysteresis); "
                                                     "default: back under its mark")

    @model_validator(mode="after")
    def _window(self) -> "_CorrelationModel":
        if self.within <= 0:
            raise ValueError("`within` must be longer than zero")
        return self


class _StaleModel(_Model):
    missed_intervals: Annotated[float, Field(ge=1, le=1000, allow_inf_nan=False)] = 3


class _DeclareModel(_Model):
    incident_type: IncidentType
    severity: Severity = Severity.MODERATE
    description: str = Field("", max_length=2000)


class _AlertModel(_Model):
    message: str = Field(min_length=1, max_length=2000)


class _MaintenanceModel(_Model):
    do: str = Field(min_length=1, max_length=2000)


_CONDITION_KEYS = ("threshold", "rate", "correlation", "stale")
_ACTION_KEYS = ("declare", "alert", "maintenance")


class _RuleModel(_Model):
    """A trigger rule: one YAML file. See README, "Trigger rules"."""

    model_config = ConfigDict(title="ICCC trigger rule", populate_by_name=True)

    id: Identifier
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    sensors: _SensorsModel
    threshold: _ThresholdModel | None = None
    rate: _RateModel | None = None
    correlation: _CorrelationModel | None = None
    stale: _StaleModel | None = None
    bands: dict[Severity, Level] = Field({}, description="Severity from the reading: severity to level")
    declare: _DeclareModel | None = None
    alert: _AlertModel | None = None
    maintenance: _MaintenanceModel | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> "_RuleModel":
        for keys, what in ((_CONDITION_KEYS, "condition"), (_ACTION_KEYS, "action")):
            given = [key for key in keys if getattr(self, key) is not None]
            if len(given) != 1:
                found = ", ".join(given) if given else "none"
                raise ValueError(f"a rule has exactly one {what}: one of {', '.join(keys)} (found: {found})")
        return self


def load_rule_file(path: str | Path) -> RuleDefinition:
    """Load and validate the rule in `path`.

    Raises:
        RuleDefinitionError: one `file:line: message` problem per mistake found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleDefinitionError([SourceProblem(str(path), 0, f"cannot read the file: {error}")]) from error
    return load_rule_text(text, source=str(path))


def load_rule_text(text: str, *, source: str = "<text>") -> RuleDefinition:
    """Load and validate a rule given as YAML text; `source` names it in error messages.

    Raises:
        RuleDefinitionError: one `source:line: message` problem per mistake found.
    """
    try:
        data, lines = read_yaml(text, source=source)
        model = validate_model(_RuleModel, data, lines, source=source)
    except RuleDefinitionError:
        raise
    except SopDefinitionError as error:
        raise RuleDefinitionError(error.problems) from error
    definition = _definition_from(model, source)
    problems = _meaning_problems(definition, lines, source)
    if problems:
        raise RuleDefinitionError(problems)
    return definition


def _definition_from(model: _RuleModel, source: str) -> RuleDefinition:
    bands = tuple(Band(severity, level) for severity, level in sorted(model.bands.items(), key=lambda item: item[0].rank))
    return RuleDefinition(
        ref=RuleRef(model.id, model.version), title=model.title, sensor_kind=model.sensors.kind,
        unit=model.sensors.unit, condition=_condition_from(model), action=_action_from(model), bands=bands,
        sensor_ids=frozenset(model.sensors.ids), source=source,
    )


def _condition_from(model: _RuleModel) -> Condition:
    if model.threshold is not None:
        direction, level = model.threshold.side()
        return Threshold(direction, level, model.threshold.clear_at, model.threshold.for_)
    if model.rate is not None:
        change = -model.rate.drop if model.rate.drop is not None else model.rate.rise
        assert change is not None
        return RateOfChange(change, model.rate.within)
    if model.correlation is not None:
        direction, mark = model.correlation.side()
        return Correlation(direction, mark, model.correlation.at_least, model.correlation.within_m,
                           model.correlation.within, tuple(sorted(model.correlation.marks.items())),
                           model.correlation.clear_at)
    assert model.stale is not None
    return Staleness(model.stale.missed_intervals)


def _action_from(model: _RuleModel) -> Action:
    if model.declare is not None:
        return DeclareIncident(model.declare.incident_type, model.declare.severity, model.declare.description)
    if model.alert is not None:
        return AlertOfficer(model.alert.message)
    assert model.maintenance is not None
    return MaintenanceTask(model.maintenance.do)


def _meaning_problems(rule: RuleDefinition, lines: dict, source: str) -> list[SourceProblem]:
    """What the shape cannot say: hysteresis the right way round, bands in order and beyond the
    level that raises, nothing the condition cannot use."""
    problems: list[SourceProblem] = []

    def problem(path: tuple[Any, ...], message: str) -> None:
        line = next((lines[path[:end]] for end in range(len(path), -1, -1) if path[:end] in lines), 1)
        field = ".".join(str(part) for part in path)
        problems.append(SourceProblem(source, line, f"{field}: {message}", field))

    condition = rule.condition
    if not isinstance(condition, Staleness):
        if rule.sensor_kind == ANY_KIND:
            problem(("sensors", "kind"), "`*` (every kind) is for stale rules: a level means something for one kind")
    if isinstance(condition, Threshold):
        if condition.direction is Direction.ABOVE and not condition.clear_at < condition.level:
            problem(("threshold", "clear_at"), f"must be below `above` ({condition.level:g}): "
                    "an episode clears on the good side of the level that raised it")
        if condition.direction is Direction.BELOW and not condition.clear_at > condition.level:
            problem(("threshold", "clear_at"), f"must be above `below` ({condition.level:g}): "
                    "an episode clears on the good side of the level that raised it")
    if isinstance(condition, Staleness) and rule.bands:
        problem(("bands",), "a stale rule has no reading to take a severity from")
    if isinstance(condition, Staleness) and isinstance(rule.action, DeclareIncident):
        problem(("declare",), "a silent sensor is not an incident: use `maintenance` or `alert`")
    if isinstance(condition, Correlation) and condition.clear_at is not None:
        good_side = (condition.clear_at < condition.mark if condition.direction is Direction.ABOVE
                     else condition.clear_at > condition.mark)
        if not good_side:
            side = "below `above`" if condition.direction is Direction.ABOVE else "above `below`"
            problem(("correlation", "clear_at"), f"must be {side} ({condition.mark:g}): "
                    "a sensor leaves the cluster on the good side of its mark")
    if isinstance(condition, Correlation):
        for sensor_id, _mark in condition.marks_by_sensor:
            if rule.sensor_ids and sensor_id not in rule.sensor_ids:
                problem(("correlation", "marks", sensor_id), "names a sensor the rule does not watch (`sensors.ids`)")
    direction = rule.direction
    previous: Band | None = None
    for band in rule.bands:
        if previous is not None and not (band.level > previous.level if direction is Direction.ABOVE
                                         else band.level < previous.level):
            word = "higher" if direction is Direction.ABOVE else "lower"
            problem(("bands", band.severity.value),
                    f"a more severe band needs a {word} level than {previous.severity.value} ({previous.level:g})")
        previous = band
    raising = _raising_level(condition)
    if rule.bands and raising is not None:
        first = rule.bands[0]
        if not direction.reaches(first.level, raising):
            problem(("bands", first.severity.value),
                    f"{first.level:g} is on the good side of the level that raises the rule ({raising:g}): "
                    "the band could never apply")
    if isinstance(rule.action, DeclareIncident) and rule.bands and rule.bands[0].severity.rank < rule.action.severity.rank:
        problem(("bands", rule.bands[0].severity.value),
                f"below the declared severity ({rule.action.severity.value}), so it could never apply")
    if not isinstance(rule.action, DeclareIncident) and rule.bands:
        problem(("bands",), "bands set an incident's severity: only a `declare` rule has one")
    return problems


def _raising_level(condition: Condition) -> float | None:
    if isinstance(condition, Threshold):
        return condition.level
    if isinstance(condition, Correlation):
        return condition.mark
    return None


def rule_json_schema() -> dict[str, Any]:
    """The JSON Schema of the rule format (the shape; the loader checks the meaning too)."""
    schema = _RuleModel.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://iccc.example/schemas/rule.schema.json"
    return schema
