"""What each kind of sensor measures: the units its readings may carry, and for each unit the
range outside which a value is impossible (a broken probe, a wrong scaling), not an emergency.

Pure values; the shipped kinds cover the city systems an ICCC listens to, and a city adds its
own with `ICCC_SENSOR_KINDS` (`parse_extra_kinds`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from coordination.errors import InvalidInput

BOOLEAN_UNIT = ""
"""A true/false sensor (a panic button) carries no unit; true is 1, false 0."""


@dataclass(frozen=True)
class ValueRange:
    low: float
    high: float

    def holds(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.low:g} to {self.high:g}"


@dataclass(frozen=True)
class SensorKind:
    """A kind of sensor: its name and, per SenML unit it may report in, the possible values."""

    name: str
    units: dict[str, ValueRange] = field(default_factory=dict)

    def range_for(self, unit: str) -> ValueRange | None:
        return self.units.get(unit)


SHIPPED_KINDS: dict[str, SensorKind] = {kind.name: kind for kind in (
    # Height of water over the gauge's datum: a drain's invert or a river's gauge zero.
    SensorKind("water_level", {"m": ValueRange(-20.0, 100.0), "cm": ValueRange(-2000.0, 10000.0)}),
    # The wettest hour ever recorded is about 300 mm; 500 mm/h is a broken tipping bucket.
    SensorKind("rain_gauge", {"mm/h": ValueRange(0.0, 500.0), "mm": ValueRange(0.0, 2000.0)}),
    SensorKind("air_quality", {"ug/m3": ValueRange(0.0, 5000.0), "ppm": ValueRange(0.0, 10000.0)}),
    SensorKind("pipe_pressure", {"kPa": ValueRange(-100.0, 5000.0), "bar": ValueRange(-1.0, 50.0)}),
    SensorKind("feeder_current", {"A": ValueRange(0.0, 20000.0)}),
    SensorKind("panic_button", {BOOLEAN_UNIT: ValueRange(0.0, 1.0)}),
    # A video-analytics event: a count of what the camera's model saw (people, vehicles, a fall).
    SensorKind("video_event", {"count": ValueRange(0.0, 100000.0), BOOLEAN_UNIT: ValueRange(0.0, 1.0)}),
)}

_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def parse_extra_kinds(text: str, *, setting: str = "ICCC_SENSOR_KINDS") -> dict[str, SensorKind]:
    """The shipped kinds and more, from `name:unit=low..high` items separated by commas
    (`noise_level:dB=0..160,tide_level:m=-5..10`); a kind may repeat with another unit.

    Raises:
        InvalidInput: an item is not of that form (naming the setting and the item).
    """
    kinds = {name: SensorKind(name, dict(kind.units)) for name, kind in SHIPPED_KINDS.items()}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, unit, value_range = _extra_kind(item)
        if name is None:
            raise InvalidInput(f"{setting}: {item!r} is not `kind:unit=low..high` (a lower-case kind, "
                               "a SenML unit or nothing, and a range low..high)", field=setting)
        kinds.setdefault(name, SensorKind(name)).units[unit] = value_range
    return kinds


def _extra_kind(item: str) -> tuple[str | None, str, ValueRange]:
    name, _, rest = item.partition(":")
    unit, _, bounds = rest.partition("=")
    low_text, _, high_text = bounds.partition("..")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        return None, "", ValueRange(0, 0)
    if not _KIND_NAME.match(name.strip()) or not (math.isfinite(low) and math.isfinite(high) and low < high):
        return None, "", ValueRange(0, 0)
    return name.strip(), unit.strip(), ValueRange(low, high)
