"""A trigger rule as the engine sees it: frozen, versioned, free of any state.

A rule watches the readings of one kind of sensor (water level, rain, air quality, pipe
pressure, feeder current, panic buttons...) and says when they mean something a person would
act on. It has one *condition* (a threshold with hysteresis and a minimum duration, a rate of
change over a window, a cluster of sensors in space and time, or a sensor gone quiet) and one
*action* (declare an incident, alert the duty officer, or give the sensor's agency a
maintenance task). Optional severity *bands* turn the reading into the incident's severity.

Definitions never refer to state; states refer to definitions by `RuleRef`, so uploading a new
version of a rule never changes what an episode already in progress was raised under.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from sop_engine import Severity


@dataclass(frozen=True, order=True)
class RuleRef:
    """The exact rule version an episode was raised under."""

    rule_id: str
    version: int

    def __str__(self) -> str:
        return f"{self.rule_id}@v{self.version}"


class Direction(str, Enum):
    """Which side of a level is the bad one."""

    ABOVE = "above"
    """Rising water, rain, pollution: raise at or above the level."""
    BELOW = "below"
    """Falling pressure, a feeder's current gone: raise at or below the level."""

    def reaches(self, value: float, level: float) -> bool:
        """True when `value` is at the level or beyond it on the bad side."""
        return value >= level if self is Direction.ABOVE else value <= level


@dataclass(frozen=True)
class Threshold:
    """Raise when the value reaches `level` and stays there for `for_s`; clear once it is back at
    `clear_at` (hysteresis: between the two levels an episode neither starts nor ends, so a value
    wavering about one level does not raise, clear and raise again)."""

    direction: Direction
    level: float
    clear_at: float
    for_s: int = 0

    def reached(self, value: float) -> bool:
        return self.direction.reaches(value, self.level)

    def cleared(self, value: float) -> bool:
        return value <= self.clear_at if self.direction is Direction.ABOVE else value >= self.clear_at


@dataclass(frozen=True)
class RateOfChange:
    """Raise when the value has moved by `change` within `window_s`: a drop from the highest
    value of the window (`change` < 0: a pipe's pressure falling as a main bursts) or a rise from
    the lowest (`change` > 0). Clears once the window no longer holds such a move."""

    change: float
    window_s: int


@dataclass(frozen=True)
class Correlation:
    """Raise when at least `at_least` sensors of the kind are over their mark within `radius_m`
    of one another's reporting sensor and within `window_s`: three drains over their mark in one
    ward is a flood, one is a blocked drain.

    A sensor is over its mark from a reading at or beyond `mark` (or its own entry in
    `marks_by_sensor`) until a reading at or beyond `clear_at` on the good side (hysteresis: a
    gauge wavering about its mark as the water recedes neither leaves the cluster nor re-forms
    it), or until `window_s` passes with no reading over it. The cluster is the sensors over their
    mark within `radius_m` of the sensor whose reading completes it; its place is their centre.
    """

    direction: Direction
    mark: float
    at_least: int
    radius_m: float
    window_s: int
    marks_by_sensor: tuple[tuple[str, float], ...] = ()
    clear_at: float | None = None
    """None: a sensor leaves at the first reading back under its mark (no hysteresis). A sensor
    with its own mark clears the same distance from it as `clear_at` is from `mark`."""

    def cleared(self, sensor_id: str, value: float) -> bool:
        """True when `value` takes a sensor that was over its mark back off it."""
        mark = self.mark_of(sensor_id)
        if self.clear_at is None:
            return not self.direction.reaches(value, mark)
        clear_level = mark + (self.clear_at - self.mark)
        return value <= clear_level if self.direction is Direction.ABOVE else value >= clear_level

    def mark_of(self, sensor_id: str) -> float:
        for candidate, mark in self.marks_by_sensor:
            if candidate == sensor_id:
                return mark
        return self.mark


@dataclass(frozen=True)
class Staleness:
    """Raise when a sensor has sent nothing for `missed_intervals` times its expected reporting
    interval (from the sensor registry); clears when it reports again."""

    missed_intervals: float


Condition = Union[Threshold, RateOfChange, Correlation, Staleness]

CONDITION_KINDS: dict[type, str] = {
    Threshold: "threshold",
    RateOfChange: "rate",
    Correlation: "correlation",
    Staleness: "stale",
}


@dataclass(frozen=True)
class Band:
    """A severity the reading itself gives: `severity` from `level` on (in the rule's direction)."""

    severity: Severity
    level: float


@dataclass(frozen=True)
class DeclareIncident:
    """Declare an incident of this type through the same use case as a person's report (the
    duplicate check links a firing near an open incident to it; its SOP starts as for any)."""

    incident_type: str
    severity: Severity
    """The severity when no band applies (no bands, or below the lowest)."""
    description: str = ""


@dataclass(frozen=True)
class AlertOfficer:
    """Raise an alert for the duty officer to look at, with the readings."""

    message: str


@dataclass(frozen=True)
class MaintenanceTask:
    """Give the sensor's owning agency a task to look at it (a stale gauge, a dead station)."""

    instruction: str


Action = Union[DeclareIncident, AlertOfficer, MaintenanceTask]

ACTION_KINDS: dict[type, str] = {
    DeclareIncident: "declare",
    AlertOfficer: "alert",
    MaintenanceTask: "maintenance",
}


ANY_KIND = "*"
"""A stale rule's kind that watches every sensor, whatever its kind."""


@dataclass(frozen=True)
class RuleDefinition:
    """A complete, validated rule version."""

    ref: RuleRef
    title: str
    sensor_kind: str
    unit: str
    """The unit the rule's levels are written in; readings in another unit do not apply. Empty
    for kinds whose readings are true or false (a panic button), which a rule reads as 1 or 0."""
    condition: Condition
    action: Action
    bands: tuple[Band, ...] = ()
    """In rising order of severity (levels in the rule's direction)."""
    sensor_ids: frozenset[str] = frozenset()
    """Only these sensors (empty: every sensor of the kind)."""
    source: str = "<memory>"

    @property
    def kind(self) -> str:
        return CONDITION_KINDS[type(self.condition)]

    @property
    def direction(self) -> Direction:
        condition = self.condition
        if isinstance(condition, (Threshold, Correlation)):
            return condition.direction
        if isinstance(condition, RateOfChange):
            return Direction.ABOVE if condition.change > 0 else Direction.BELOW
        return Direction.ABOVE

    @property
    def is_per_sensor(self) -> bool:
        """Each sensor has its own state (threshold, rate); a correlation has one for the whole
        kind, since its clusters cross sensors, and so has a stale rule, checked on the tick."""
        return isinstance(self.condition, (Threshold, RateOfChange))

    def applies_to(self, sensor_id: str, kind: str, unit: str) -> bool:
        """Whether a reading of this sensor, kind and unit is one the rule takes."""
        return kind == self.sensor_kind and unit == self.unit and self.watches(sensor_id, kind)

    def watches(self, sensor_id: str, kind: str) -> bool:
        """Whether the rule watches this sensor (a stale rule of kind `*` watches them all)."""
        return (self.sensor_kind in (kind, ANY_KIND)) and (not self.sensor_ids or sensor_id in self.sensor_ids)

    def severity_for(self, value: float) -> Severity:
        """The highest of the action's own severity and the bands the value reaches."""
        chosen = self.action.severity if isinstance(self.action, DeclareIncident) else Severity.MODERATE
        for band in self.bands:
            if self.direction.reaches(value, band.level) and band.severity.rank > chosen.rank:
                chosen = band.severity
        return chosen
