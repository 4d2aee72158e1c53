"""The readings a drill's city sends, and the trigger rules that judge them.

    readings:
      rules: [drains-flood, rules/heavy-rain.yaml]   # a shipped rule's id, or a rule file beside the scenario
      sensors:
        - {id: drain-01, kind: water_level, unit: m, at: [77.590, 12.968], interval: 1m, normal: 0.15, noise: 0.02}
      events:
        - rain:                          # a cloudburst over a drain
            at: 1h
            kind: water_level            # the gauges that respond
            along: [[77.589, 12.968], [77.600, 12.968]]   # the drain, upstream end first
            within_m: 250                # gauges this close to the drain respond
            peak: 0.9                    # the level they reach, in their unit
            rise: 20m                    # from their normal level to the peak
            hold: 15m                    # at the peak
            recession: 1h                # back to normal
            lag_per_km: 5m               # the water reaches a gauge a km downstream this much later

Rule files are the format `iccc rules` loads, checked the same way (their own `file:line` messages).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from coordination.rules import (
    RuleDefinition,
    RuleDefinitionError,
    load_rule_file,
    shipped_rules,
    takes_readings,
)
from coordination.sensors import SHIPPED_KINDS
from simulation.distributions import seconds
from simulation.scenario_base import Point, Strict, check_point
from sop_engine import SourceProblem

SENSOR_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
"""As the sensor registry and the rules' `sensors.ids` write them."""
RULE_FILE_SUFFIXES = (".yaml", ".yml")


class SensorSpec(Strict):
    """A gauge of the drill city: what it measures, where, how often it reports and what it reads
    on an ordinary day (`normal`, with `noise` the standard deviation of each reading about it)."""

    id: str = Field(pattern=SENSOR_ID)
    kind: str
    unit: str
    at: Point
    interval: float
    normal: float = 0.0
    noise: float = Field(default=0.0, ge=0)
    agency: str = ""
    """The owning agency's code (whom a maintenance rule's outcome names)."""

    _place = field_validator("at")(lambda cls, value: check_point(value))
    _interval = field_validator("interval", mode="before")(lambda cls, value: seconds(value))

    @field_validator("interval")
    @classmethod
    def _reports(cls, value: float) -> float:
        if value < 1:
            raise ValueError("a sensor reports at most once a second")
        return value

    @model_validator(mode="after")
    def _known_kind(self) -> "SensorSpec":
        kind = SHIPPED_KINDS.get(self.kind)
        if kind is None:
            raise ValueError(f"unknown sensor kind {self.kind!r}; known: {', '.join(sorted(SHIPPED_KINDS))}")
        if kind.range_for(self.unit) is None:
            raise ValueError(f"a {self.kind} sensor reports in {', '.join(repr(u) for u in kind.units)}, "
                             f"not {self.unit!r}")
        if not kind.range_for(self.unit).holds(self.normal):
            raise ValueError(f"normal: {self.normal:g} is outside what a {self.kind} sensor can read "
                             f"({kind.range_for(self.unit)} {self.unit})")
        return self

    def clamp(self, value: float) -> float:
        """A reading kept within what the gauge can show (noise never makes rain negative)."""
        possible = SHIPPED_KINDS[self.kind].range_for(self.unit)
        return min(max(value, possible.low), possible.high)


class Rain(Strict):
    """Gauges of `kind` within `within_m` of the line `along` rise from their normal level to
    `peak` over `rise`, stay there for `hold` and fall back over `recession`; a gauge further
    down the line does so `lag_per_km` per kilometre later."""

    at: float
    kind: str = "water_level"
    along: list[Point] = Field(min_length=2)
    within_m: float = Field(default=250.0, gt=0)
    peak: float
    rise: float
    hold: float = 0.0
    recession: float
    lag_per_km: float = 0.0

    _times = field_validator("at", "rise", "hold", "recession", "lag_per_km", mode="before")(
        lambda cls, value: seconds(value))
    _line = field_validator("along")(lambda cls, value: [check_point(point) for point in value])

    @model_validator(mode="after")
    def _takes_time(self) -> "Rain":
        if self.rise <= 0 or self.recession <= 0:
            raise ValueError("rise and recession take some time (more than 0)")
        return self


class ReadingEvent(Strict):
    """Something that moves the gauges; today a rain event."""

    rain: Rain


class Readings(Strict):
    rules: list[str] = Field(default_factory=list)
    sensors: list[SensorSpec] = Field(min_length=1)
    events: list[ReadingEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> "Readings":
        if len({sensor.id for sensor in self.sensors}) != len(self.sensors):
            raise ValueError("two sensors share an id")
        if len(set(self.rules)) != len(self.rules):
            raise ValueError("a rule is named twice in `rules`")
        return self


def trigger_rules(readings: Readings, base_dir: str | Path, *, source: str = "<scenario>",
                  lines: dict | None = None) -> tuple[RuleDefinition, ...]:
    """Load the rules a scenario names, in its order: shipped ones by id, files relative to `base_dir`.

    Raises:
        RuleDefinitionError: a rule file is invalid (its own `file:line` messages), or the scenario
            names a shipped rule that does not exist, a file that is missing, the same rule twice,
            or a rule that watches none of its sensors (each at the scenario's line).
    """
    lines = lines or {}
    shipped = {rule.ref.rule_id: rule for rule in shipped_rules()}
    rules: list[RuleDefinition] = []
    problems: list[SourceProblem] = []
    for index, name in enumerate(readings.rules):
        line = lines.get(("readings", "rules", index), 0)
        if name.endswith(RULE_FILE_SUFFIXES):
            path = Path(base_dir) / name
            if not path.is_file():
                problems.append(SourceProblem(source, line, f"readings.rules: no rule file {name!r}"))
                continue
            try:
                rules.append(load_rule_file(path))
            except RuleDefinitionError as error:
                problems.extend(error.problems)
            continue
        if name not in shipped:
            problems.append(SourceProblem(source, line, f"readings.rules: {name!r} is neither a shipped rule "
                                                        f"({', '.join(sorted(shipped))}) nor a .yaml file"))
            continue
        rules.append(shipped[name])
    seen: set = set()
    for index, rule in enumerate(rules):
        line = lines.get(("readings", "rules", index), 0)
        if rule.ref in seen:
            problems.append(SourceProblem(source, line, f"readings.rules: {rule.ref} is named twice"))
        seen.add(rule.ref)
        if not any(_watches(rule, sensor) for sensor in readings.sensors):
            problems.append(SourceProblem(source, line, f"readings.rules: {rule.ref} watches {rule.sensor_kind} "
                                                        f"sensors in {rule.unit or 'no unit'}, and the scenario "
                                                        "has none it watches"))
    if problems:
        raise RuleDefinitionError(problems)
    return tuple(rules)


def _watches(rule: RuleDefinition, sensor: SensorSpec) -> bool:
    if takes_readings(rule):
        return rule.applies_to(sensor.id, sensor.kind, sensor.unit)
    return rule.watches(sensor.id, sensor.kind)

