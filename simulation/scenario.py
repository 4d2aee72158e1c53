"""Drill scenarios: the YAML file a planner writes, checked with `file:line` messages.

    name: monsoon-evening
    seed: 42
    duration: 24h
    replications: 5
    city:
      grid: {rows: 30, cols: 30, spacing_m: 150, seed: 7}   # or graphml: roads.graphml
      travel: roads                                          # or zero (queueing studies)
      speed_factor: 1.5                                      # congestion: 1.5 x free-flow times
      speed_factor_by_severity: {severe: 1.1}                # to a call of this severity instead
      drive_offset_by_severity: {moderate: 2m}               # added to each drive to such a call
      turnout: {fixed: 60s}                                  # dispatch until the unit rolls
      turnout_by_unit_type: {ambulance: {fixed: 20s}}        # ... for one unit type instead
      stations:
        - {id: central, at: [77.5946, 12.9716], units: {fire_engine: 2, ambulance: 3}}
    agencies: demo                      # the demo city's agencies, covering the whole city, or a list:
    #   - {code: fire-north, kind: fire, jurisdiction: {type: Polygon, coordinates: [...]}}
    sops: shipped                       # or a folder of SOP files, relative to this file
    dispatch: {policy: greedy}          # or optimised
    engine: runtime                     # the default; services: the production services and a database too
    incidents:
      - type: road_accident
        rate_per_hour: 4
        daily_profile: [0.5, 0.4, ...]  # 24 multipliers of the rate, hour 0 first
        severity: {moderate: 0.7, severe: 0.3}
        hotspots: [{at: [77.60, 12.98], radius_m: 800, weight: 3}]
        response: {ambulance: 1, police_patrol: 1}   # units sent at declaration
        on_scene: {exponential: 25m}
    scripted:
      - {at: 2h, type: flood, severity: severe, place: [77.59, 12.97]}
    cascades:
      - {from: flood, to: power_outage, probability: 0.3, after: 10m}
    behaviour:
      default: {acknowledge: {exponential: 2m}, complete: {exponential: 20m}, no_answer: 0.02}
      roles: {electricity: {acknowledge: {exponential: 8m}}}
      duty_officer: {decide: {exponential: 3m}, choices: {evacuate_or_shelter: {evacuate: 0.7}}}
      devices: {default: {confirm: {exponential: 20s}, failure: 0.05, no_answer: 0.02}}
    targets: {response_mean: 10m, response_p90: 20m}   # shown beside the report's headline KPIs
    devices:                            # what SOP `command` steps find (simulation.scenario_devices)
      - {id: vms-1, kind: message_sign, at: [77.59, 12.97]}
    readings:                           # gauges, rain and trigger rules (simulation.scenario_readings)
      rules: [drains-flood]
      sensors: [{id: drain-01, kind: water_level, unit: m, at: [77.59, 12.968], interval: 1m, normal: 0.15}]
      events: [{rain: {at: 1h, along: [[77.589, 12.968], [77.6, 12.968]], peak: 0.9, rise: 20m, recession: 1h}}]
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from shapely.geometry import shape

from coordination.demo_city import DEMO_AGENCIES
from simulation.distributions import Delay, seconds
from simulation.scenario_base import Point, Strict, check_point
from simulation.scenario_devices import Device, DeviceBehaviours
from simulation.scenario_readings import Readings
from simulation.scenario_systems import check_city_systems
from sop_engine import INCIDENT_TYPES, UNIT_TYPES, AgencyRole, Severity, SopDefinitionError, SourceProblem
from sop_engine.yaml_source import read_yaml, validate_model

def _check_type(value: str) -> str:
    if value not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident type {value!r}")
    return value


def _no(message: str):
    raise ValueError(message)


def _check_units(value: dict[str, int]) -> dict[str, int]:
    for unit_type, count in value.items():
        if unit_type not in UNIT_TYPES:
            raise ValueError(f"unknown unit type {unit_type!r}; known: {', '.join(sorted(UNIT_TYPES))}")
        if count < 0:
            raise ValueError(f"{unit_type}: a count cannot be negative")
    return value


class Grid(Strict):
    rows: int = Field(ge=2, le=1000)
    cols: int = Field(ge=2, le=1000)
    spacing_m: float = Field(default=150.0, gt=0)
    seed: int = 1
    centre: Point = (77.5946, 12.9716)


class Station(Strict):
    id: str = Field(min_length=1)
    at: Point
    units: dict[str, int]

    _place = field_validator("at")(lambda cls, value: check_point(value))
    _known = field_validator("units")(lambda cls, value: _check_units(value))


class City(Strict):
    grid: Grid | None = None
    graphml: str | None = None
    travel: Literal["roads", "zero"] = "roads"
    speed_factor: float = Field(default=1.0, gt=0)
    """Driving takes this many times the free-flow road time (congestion, hills, weather)."""
    speed_factor_by_severity: dict[Severity, float] = Field(default_factory=dict)
    """Driving to an incident of this severity takes this factor instead (lights and sirens for a
    life-threatening call, normal traffic for the rest); the drive home always uses `speed_factor`."""
    drive_offset_by_severity: dict[Severity, float] = Field(default_factory=dict)
    """Seconds added to every drive to an incident of this severity, whatever its length: leaving
    the station's district, finding the address, parking (a calibration fits it beside the factor:
    `iccc drill calibrate`)."""
    turnout: Delay = Field(default_factory=lambda: Delay(fixed=0))
    """From dispatch until the unit rolls (crew to vehicle)."""
    turnout_by_unit_type: dict[str, Delay] = Field(default_factory=dict)
    """Turnout of one unit type instead of `turnout` (an ambulance posted on the road rolls at once)."""
    stations: list[Station] = Field(min_length=1)

    _known_turnout = field_validator("turnout_by_unit_type")(
        lambda cls, value: _check_units({unit_type: 0 for unit_type in value}) and value)
    _offsets = field_validator("drive_offset_by_severity", mode="before")(
        lambda cls, value: {k: seconds(v) for k, v in value.items()} if isinstance(value, dict) else value)
    _positive_factors = field_validator("speed_factor_by_severity")(
        lambda cls, value: value if all(f > 0 for f in value.values()) else _no("speed factors must be above 0"))

    @model_validator(mode="after")
    def _one_network(self) -> "City":
        if (self.grid is None) == (self.graphml is None):
            raise ValueError("give the city either a grid or a graphml file")
        if len({station.id for station in self.stations}) != len(self.stations):
            raise ValueError("two stations share an id")
        return self


class Hotspot(Strict):
    at: Point
    radius_m: float = Field(gt=0)
    weight: float = Field(default=1.0, gt=0)

    _place = field_validator("at")(lambda cls, value: check_point(value))


class Generator(Strict):
    """Random incidents of one type: a Poisson stream whose hourly rate follows a daily profile."""

    type: str
    rate_per_hour: float = Field(ge=0)
    daily_profile: tuple[float, ...] | None = None
    severity: dict[Severity, float] = Field(default_factory=lambda: {Severity.MODERATE: 1.0})
    hotspots: list[Hotspot] = Field(default_factory=list)
    uniform_weight: float = Field(default=1.0, ge=0)
    """Weight of 'anywhere in the city' beside the hotspots' weights."""
    response: dict[str, int] = Field(default_factory=dict)
    on_scene: Delay = Field(default_factory=lambda: Delay(exponential=1200))

    _type = field_validator("type")(lambda cls, value: _check_type(value))
    _units = field_validator("response")(lambda cls, value: _check_units(value))

    @field_validator("daily_profile")
    @classmethod
    def _day(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and (len(value) != 24 or min(value) < 0):
            raise ValueError("a daily profile is 24 multipliers, zero or more, hour 0 first")
        return value

    @field_validator("severity")
    @classmethod
    def _mix(cls, value: dict[Severity, float]) -> dict[Severity, float]:
        if not value or min(value.values()) < 0 or sum(value.values()) <= 0:
            raise ValueError("a severity mix needs at least one positive share")
        return value

    @model_validator(mode="after")
    def _somewhere(self) -> "Generator":
        if self.uniform_weight == 0 and not self.hotspots:
            raise ValueError("with uniform_weight 0 the generator needs hotspots")
        return self


class Scripted(Strict):
    """One incident at a set time and place (the festival crush at 21:00)."""

    at: float
    type: str
    severity: Severity
    place: Point

    _time = field_validator("at", mode="before")(lambda cls, value: seconds(value))
    _type = field_validator("type")(lambda cls, value: _check_type(value))
    _place = field_validator("place")(lambda cls, value: check_point(value))


class Cascade(Strict):
    """An incident of type `from_type` opens one of `to_type` at the same place, with a probability."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_type: str = Field(alias="from")
    to_type: str = Field(alias="to")
    probability: float = Field(ge=0, le=1)
    after: float = 0.0
    severity: Severity | None = None

    _after = field_validator("after", mode="before")(lambda cls, value: seconds(value))
    _types = field_validator("from_type", "to_type")(lambda cls, value: _check_type(value))


class AgencyBehaviour(Strict):
    """How an agency answers its tasks. Unset fields take the scenario's default behaviour."""

    acknowledge: Delay | None = None
    complete: Delay | None = None
    no_answer: float | None = Field(default=None, ge=0, le=1)
    """Probability that a task is never answered (the agency is swamped or unreachable)."""
    webhook_failure: float | None = Field(default=None, ge=0, lt=1)
    """Probability that one delivery attempt fails; each failure costs one backoff interval."""


class DutyOfficer(Strict):
    decide: Delay = Field(default_factory=lambda: Delay(exponential=180))
    approve: Delay = Field(default_factory=lambda: Delay(exponential=120))
    choices: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Per decision step, the weight of each option; unlisted steps take their first option."""


class Behaviour(Strict):
    default: AgencyBehaviour = Field(default_factory=AgencyBehaviour)
    roles: dict[AgencyRole, AgencyBehaviour] = Field(default_factory=dict)
    duty_officer: DutyOfficer = Field(default_factory=DutyOfficer)
    devices: DeviceBehaviours = Field(default_factory=DeviceBehaviours)


class AgencySpec(Strict):
    """An agency of the drill city; with a jurisdiction (a GeoJSON Polygon or MultiPolygon) it
    takes the tasks inside it, before any city-wide agency of its kind (production routing)."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,62}$")
    kind: AgencyRole
    jurisdiction: dict[str, Any] | None = None

    @field_validator("jurisdiction")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            try:
                shape(value)
            except Exception as error:  # shapely raises several types for bad GeoJSON
                raise ValueError(f"jurisdiction is not valid GeoJSON geometry: {error}") from error
            if value.get("type") not in ("Polygon", "MultiPolygon"):
                raise ValueError("a jurisdiction is a GeoJSON Polygon or MultiPolygon")
        return value


class Dispatch(Strict):
    policy: Literal["greedy", "optimised"] = "greedy"


class Targets(Strict):
    """What the centre aims for, printed beside the drill report's headline KPIs (`10m`, `20m`)."""

    response_mean: float | None = None
    response_p90: float | None = None

    _seconds = field_validator("response_mean", "response_p90", mode="before")(
        lambda cls, value: None if value is None else seconds(value))


class Scenario(Strict):
    """A drill: the city, its SOPs and fleet, what happens, how agencies behave, how long, how often."""

    name: str = Field(min_length=1)
    seed: int = 0
    duration: float
    replications: int = Field(default=1, ge=1, le=10_000)
    start: datetime = datetime(2026, 7, 1, tzinfo=timezone.utc)
    city: City
    agencies: Literal["demo"] | list[AgencySpec] = "demo"
    sops: str = "shipped"
    dispatch: Dispatch = Field(default_factory=Dispatch)
    engine: Literal["services", "runtime"] = "runtime"
    """`runtime` (the default): the production SOP runtime, routing and dispatch policy with no
    database, hundreds of times faster; `services`: the production services over in-memory SQLite
    too (transactions, timeline, outbox), for an end-to-end rehearsal. A test holds both to the
    same records for the same seed."""
    """`services`: the production services over in-memory SQLite; `runtime`: the pure SOP runtime
    and routing without a database, for long or large drills (the same records, much faster)."""
    incidents: list[Generator] = Field(default_factory=list)
    scripted: list[Scripted] = Field(default_factory=list)
    cascades: list[Cascade] = Field(default_factory=list)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    targets: Targets = Field(default_factory=Targets)
    devices: list[Device] = Field(default_factory=list)
    """Message signs, sirens, pumps and barriers an SOP's `command` step can command
    (`simulation.scenario_devices`)."""
    readings: Readings | None = None
    """Gauges reporting in simulated time, rain that raises them, and the trigger rules that judge
    them (`simulation.scenario_readings`): a rule that declares an incident declares it in the drill."""
    base_dir: str = Field(default=".", exclude=True)
    """The scenario file's folder: relative paths (SOP folder, GraphML) are read from there."""

    _duration = field_validator("duration", mode="before")(lambda cls, value: seconds(value))

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    @model_validator(mode="after")
    def _positive(self) -> "Scenario":
        if self.duration <= 0:
            raise ValueError("duration must be more than zero")
        return self

    def path(self, relative: str) -> Path:
        """Resolve a path written in the scenario against the scenario's folder."""
        return Path(self.base_dir) / relative

    def behaviour_of(self, role: AgencyRole) -> tuple[Delay, Delay, float, float]:
        """The acknowledgement and completion delays, no-answer and webhook failure probabilities."""
        base, own = self.behaviour.default, self.behaviour.roles.get(role, AgencyBehaviour())
        return (
            own.acknowledge or base.acknowledge or Delay(exponential=120),
            own.complete or base.complete or Delay(exponential=1200),
            own.no_answer if own.no_answer is not None else (base.no_answer or 0.0),
            own.webhook_failure if own.webhook_failure is not None else (base.webhook_failure or 0.0),
        )

    def generator_for(self, incident_type: str) -> Generator | None:
        return next((g for g in self.incidents if g.type == incident_type), None)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Raises:
        SopDefinitionError: YAML or shape errors, each as `file:line: message`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SopDefinitionError([SourceProblem(str(path), 0, f"cannot read the scenario: {error.strerror}")]) from error
    return scenario_from_text(text, source=str(path), base_dir=path.parent)


def scenario_from_text(text: str, *, source: str = "<scenario>", base_dir: str | Path = ".") -> Scenario:
    """Check a scenario given as YAML text; see `load_scenario`."""
    data, lines = read_yaml(text, source=source)
    scenario: Scenario = validate_model(Scenario, data, lines, source=source)
    scenario = scenario.model_copy(update={"base_dir": str(base_dir)})
    problems = _check_references(scenario, lines, source)
    if problems:
        raise SopDefinitionError(problems)
    return scenario


def _check_references(scenario: Scenario, lines: dict[tuple[Any, ...], int], source: str) -> list[SourceProblem]:
    """Problems the shape cannot see: files that do not exist, sections that disagree."""
    problems = []
    if scenario.sops != "shipped" and not scenario.path(scenario.sops).is_dir():
        problems.append(SourceProblem(source, lines.get(("sops",), 1),
                                      f"sops: {scenario.sops!r} is neither 'shipped' nor a folder"))
    if scenario.city.graphml is not None and not scenario.path(scenario.city.graphml).is_file():
        problems.append(SourceProblem(source, lines.get(("city", "graphml"), 1),
                                      f"city.graphml: no file {scenario.city.graphml!r}"))
    agencies = ({agency.code for agency in DEMO_AGENCIES} if scenario.agencies == "demo"
                else {agency.code for agency in scenario.agencies})
    problems.extend(check_city_systems(devices=scenario.devices, behaviours=scenario.behaviour.devices,
                                       readings=scenario.readings, agencies=agencies, base_dir=scenario.base_dir,
                                       lines=lines, source=source))
    return problems
