"""Sweep files: a base scenario, the parameters to vary, replications and targets, checked with
`file:line` messages as scenarios are.

    name: monsoon-boats
    scenario: ../scenarios/small-city.yaml   # the base scenario, relative to this file
    replications: 5                          # per variant, to begin with
    max_replications: 40                     # at most, while a precision target is not met
    vary:                                    # every combination of these is one variant
      fleet:                                 # how many units of one type one station keeps
        - {station: north, unit_type: ambulance, counts: [1, 2, 3]}
      dispatch_policy: [greedy, optimised]
      sops: [shipped, ../sops-b]             # SOP sets: shipped, or folders relative to this file
      arrival_rate:                          # multiplies the incident streams' rates (all, or one type)
        - {type: road_accident, scale: [1, 1.5]}
      answer_delay:                          # how long an agency takes to acknowledge (or complete)
        - {role: electricity, acknowledge: [{exponential: 2m}, {exponential: 8m}]}
    targets:                                 # KPIs to meet and how precisely to know them
      - {kpi: "response_s.p90 | all", at_most: 15m, precision: 30s}
    costs: {ambulance: 3, fire_engine: 5}    # per unit, to find the cheapest variant (default 1)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from simulation.distributions import Delay, seconds
from simulation.scenario import Scenario, _check_units, load_scenario
from simulation.scenario_base import Strict
from sop_engine import UNIT_TYPES, AgencyRole, SopDefinitionError, SourceProblem
from sop_engine.yaml_source import read_yaml, validate_model

MAX_VARIANTS = 10_000
"""A sweep larger than this is almost surely a mistake in `vary` (a product of long lists)."""


class FleetAxis(Strict):
    station: str = Field(min_length=1)
    unit_type: str
    counts: list[int] = Field(min_length=1)

    @field_validator("unit_type")
    @classmethod
    def _known(cls, value: str) -> str:
        _check_units({value: 0})
        return value

    @field_validator("counts")
    @classmethod
    def _counts(cls, value: list[int]) -> list[int]:
        if min(value) < 0:
            raise ValueError("a count cannot be negative")
        if len(set(value)) != len(value):
            raise ValueError("a count is listed twice")
        return sorted(value)


class ArrivalAxis(Strict):
    type: str | None = None
    """The incident type whose stream is scaled; every stream when left out."""
    scale: list[float] = Field(min_length=1)

    @field_validator("scale")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if min(value) < 0:
            raise ValueError("a rate multiplier cannot be negative")
        return value


class AnswerDelayAxis(Strict):
    role: AgencyRole | Literal["default"] = "default"
    acknowledge: list[Delay] | None = None
    complete: list[Delay] | None = None

    @model_validator(mode="after")
    def _one(self) -> "AnswerDelayAxis":
        if (self.acknowledge is None) == (self.complete is None):
            raise ValueError("give acknowledge or complete (one list of delays)")
        if len(self.delays) == 0:
            raise ValueError("the list of delays is empty")
        return self

    @property
    def answer(self) -> str:
        return "acknowledge" if self.acknowledge is not None else "complete"

    @property
    def delays(self) -> list[Delay]:
        return self.acknowledge if self.acknowledge is not None else (self.complete or [])


class Vary(Strict):
    fleet: list[FleetAxis] = Field(default_factory=list)
    dispatch_policy: list[Literal["greedy", "optimised"]] = Field(default_factory=list)
    sops: list[str] = Field(default_factory=list)
    arrival_rate: list[ArrivalAxis] = Field(default_factory=list)
    answer_delay: list[AnswerDelayAxis] = Field(default_factory=list)


class Target(Strict):
    """A KPI the planner wants: a bound to meet, a precision to know it to, or both."""

    kpi: str = Field(min_length=1)
    at_most: float | None = None
    at_least: float | None = None
    precision: float | None = Field(default=None, gt=0)
    """The 95% interval's half-width to reach, in the KPI's own unit (seconds for times)."""

    @field_validator("at_most", "at_least", "precision", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        # Times read as durations (15m); shares and counts are plain numbers.
        return seconds(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _something(self) -> "Target":
        if self.at_most is None and self.at_least is None and self.precision is None:
            raise ValueError("a target needs at_most, at_least or precision")
        return self


class Sweep(Strict):
    """A sweep as written; `load_sweep` also reads its base scenario."""

    name: str = Field(min_length=1)
    scenario: str
    seed: int | None = None
    """Seeds of the replications; the base scenario's seed when left out."""
    replications: int = Field(default=5, ge=1, le=10_000)
    max_replications: int | None = Field(default=None, ge=1, le=10_000)
    vary: Vary = Field(default_factory=Vary)
    targets: list[Target] = Field(default_factory=list)
    costs: dict[str, float] = Field(default_factory=dict)

    @field_validator("costs")
    @classmethod
    def _costs(cls, value: dict[str, float]) -> dict[str, float]:
        for unit_type, cost in value.items():
            if unit_type not in UNIT_TYPES:
                raise ValueError(f"unknown unit type {unit_type!r}")
            if cost < 0:
                raise ValueError(f"{unit_type}: a cost cannot be negative")
        return value

    @model_validator(mode="after")
    def _enough(self) -> "Sweep":
        if self.max_replications is not None and self.max_replications < self.replications:
            raise ValueError("max_replications is below replications")
        return self

    @property
    def most_replications(self) -> int:
        return self.max_replications or self.replications

    def cost_of(self, unit_type: str) -> float:
        return self.costs.get(unit_type, 1.0)


class LoadedSweep(Strict):
    """A checked sweep with its base scenario and the folder its relative paths start from."""

    sweep: Sweep
    base: Scenario
    base_dir: str
    source: str

    @property
    def seed(self) -> int:
        return self.base.seed if self.sweep.seed is None else self.sweep.seed

    def path(self, relative: str) -> Path:
        return Path(self.base_dir) / relative


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and check a sweep file and its base scenario.

    Raises:
        SopDefinitionError: YAML, shape and reference errors, each as `file:line: message`
            (a problem in the base scenario names the scenario's own file and line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SopDefinitionError([SourceProblem(str(path), 0, f"cannot read the sweep: {error.strerror}")]) from error
    return sweep_from_text(text, source=str(path), base_dir=path.parent)


def sweep_from_text(text: str, *, source: str = "<sweep>", base_dir: str | Path = ".") -> LoadedSweep:
    """Check a sweep given as YAML text; see `load_sweep`."""
    data, lines = read_yaml(text, source=source)
    sweep: Sweep = validate_model(Sweep, data, lines, source=source)
    scenario_path = Path(base_dir) / sweep.scenario
    if not scenario_path.is_file():
        raise SopDefinitionError([SourceProblem(source, lines.get(("scenario",), 1),
                                                f"scenario: no file {sweep.scenario!r}")])
    base = load_scenario(scenario_path)
    loaded = LoadedSweep(sweep=sweep, base=base, base_dir=str(base_dir), source=source)
    problems = _check_against_scenario(loaded, lines, source)
    if problems:
        raise SopDefinitionError(problems)
    return loaded


def _check_against_scenario(loaded: LoadedSweep, lines: dict, source: str) -> list[SourceProblem]:
    """Problems the shape cannot see: stations, streams and folders the base scenario lacks."""
    sweep, base = loaded.sweep, loaded.base
    problems: list[SourceProblem] = []
    stations = {station.id for station in base.city.stations}
    for index, axis in enumerate(sweep.vary.fleet):
        if axis.station not in stations:
            problems.append(SourceProblem(source, lines.get(("vary", "fleet", index, "station"), 1),
                                          f"vary.fleet.{index}.station: the scenario has no station {axis.station!r}; "
                                          f"it has {', '.join(sorted(stations))}"))
    seen = {(axis.station, axis.unit_type) for axis in sweep.vary.fleet}
    if len(seen) != len(sweep.vary.fleet):
        problems.append(SourceProblem(source, lines.get(("vary", "fleet"), 1),
                                      "vary.fleet: one station and unit type is varied twice"))
    streams = {generator.type for generator in base.incidents}
    for index, axis in enumerate(sweep.vary.arrival_rate):
        if axis.type is not None and axis.type not in streams:
            problems.append(SourceProblem(source, lines.get(("vary", "arrival_rate", index, "type"), 1),
                                          f"vary.arrival_rate.{index}.type: the scenario has no {axis.type!r} stream"))
    for index, sops in enumerate(sweep.vary.sops):
        if sops != "shipped" and not loaded.path(sops).is_dir():
            problems.append(SourceProblem(source, lines.get(("vary", "sops", index), 1),
                                          f"vary.sops.{index}: {sops!r} is neither 'shipped' nor a folder"))
    for index, target in enumerate(sweep.targets):
        if "|" not in target.kpi:
            problems.append(SourceProblem(source, lines.get(("targets", index, "kpi"), 1),
                                          f"targets.{index}.kpi: a KPI reads 'measure | group', "
                                          f"e.g. 'response_s.p90 | all'"))
    variants = 1
    for axis in _axis_lengths(sweep):
        variants *= axis
    if variants > MAX_VARIANTS:
        problems.append(SourceProblem(source, lines.get(("vary",), 1),
                                      f"vary: {variants} variants, more than {MAX_VARIANTS}"))
    return problems


def _axis_lengths(sweep: Sweep) -> list[int]:
    vary = sweep.vary
    return ([len(a.counts) for a in vary.fleet] + ([len(vary.dispatch_policy)] if vary.dispatch_policy else [])
            + ([len(vary.sops)] if vary.sops else []) + [len(a.scale) for a in vary.arrival_rate]
            + [len(a.delays) for a in vary.answer_delay])
