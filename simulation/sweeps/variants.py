"""The variants of a sweep: every combination of the varied parameters, each a whole scenario.

Variants are numbered in a fixed order (the axes as the sweep lists them, the last varying
fastest), so the same sweep file always gives the same variants with the same numbers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.scenario import Scenario
from simulation.sweeps.spec import LoadedSweep


@dataclass(frozen=True)
class Setting:
    """One value of one axis: `axis` names the parameter (`fleet north/ambulance`), `value` its
    value as a planner reads it (`3`, `optimised`, `x1.5`, `exponential 8m`)."""

    axis: str
    value: str
    apply: Any
    """A function from the scenario's plain data to the changed data."""
    number: float | None = None
    """The value as a number, where it has one (fleet counts, rate multipliers)."""
    is_condition: bool = False
    """A condition the city faces (arrival rates, agencies' answer delays), not a choice it makes
    (fleet, policy, SOP set): the cheapest choice is sought under each condition."""


@dataclass(frozen=True)
class Variant:
    number: int
    settings: tuple[Setting, ...]
    scenario: Scenario

    @property
    def label(self) -> str:
        return ", ".join(f"{s.axis}={s.value}" for s in self.settings) or "base"

    @property
    def condition(self) -> str:
        """The conditions this variant is run under, as text ("" when the sweep varies none)."""
        return ", ".join(f"{s.axis}={s.value}" for s in self.settings if s.is_condition)

    @property
    def choice(self) -> str:
        """What the city chooses in this variant (fleet, policy, SOP set), as text."""
        return ", ".join(f"{s.axis}={s.value}" for s in self.settings if not s.is_condition) or "the base scenario"

    def values(self) -> dict[str, str]:
        return {s.axis: s.value for s in self.settings}


def fleet_axis_name(station: str, unit_type: str) -> str:
    return f"fleet {station}/{unit_type}"


def expand(loaded: LoadedSweep) -> list[Variant]:
    """Every variant of the sweep, in a fixed order; the base scenario alone when nothing varies."""
    axes = _axes(loaded)
    base_data = loaded.base.model_dump(mode="json", by_alias=True, exclude_none=True)
    variants = []
    for number, settings in enumerate(itertools.product(*axes)):
        data = _deep_copy(base_data)
        for setting in settings:
            data = setting.apply(data)
        scenario = Scenario.model_validate(data).model_copy(update={"base_dir": loaded.base.base_dir})
        variants.append(Variant(number=number, settings=tuple(settings), scenario=scenario))
    return variants


def unit_cost(loaded: LoadedSweep, scenario: Scenario) -> float:
    """The fleet's cost: every unit at every station at its type's cost (1 unless the sweep says)."""
    return sum(loaded.sweep.cost_of(unit_type) * count
               for station in scenario.city.stations for unit_type, count in station.units.items())


def _deep_copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _deep_copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_deep_copy(value) for value in data]
    return data


def _axes(loaded: LoadedSweep) -> list[list[Setting]]:
    vary = loaded.sweep.vary
    axes: list[list[Setting]] = []
    for axis in vary.fleet:
        axes.append([Setting(fleet_axis_name(axis.station, axis.unit_type), str(count),
                             _set_fleet(axis.station, axis.unit_type, count), float(count)) for count in axis.counts])
    if vary.dispatch_policy:
        axes.append([Setting("dispatch policy", policy, _set_policy(policy)) for policy in vary.dispatch_policy])
    if vary.sops:
        axes.append([Setting("sops", sops, _set_sops(sops if sops == "shipped" else str(loaded.path(sops).resolve())))
                     for sops in vary.sops])
    for axis in vary.arrival_rate:
        name = f"arrival rate {axis.type or 'all'}"
        axes.append([Setting(name, f"x{scale:g}", _scale_rate(axis.type, scale), scale, is_condition=True)
                     for scale in axis.scale])
    for axis in vary.answer_delay:
        role = axis.role if isinstance(axis.role, str) and axis.role == "default" else axis.role.value
        name = f"{axis.answer} delay {role}"
        axes.append([Setting(name, _delay_text(delay.model_dump(mode="json", exclude_none=True)),
                             _set_answer(role, axis.answer, delay.model_dump(mode="json", exclude_none=True)),
                             delay.mean_s, is_condition=True) for delay in axis.delays])
    return axes


def _duration_text(value_s: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if value_s >= size and value_s % size == 0:
            return f"{value_s / size:g}{unit}"
    return f"{value_s:g}s"


def _delay_text(delay: dict) -> str:
    """`exponential 8m`, `lognormal 20m sd 10m`, `uniform 1m-4m`: as a planner wrote it."""
    (kind, value), = delay.items()
    if kind == "lognormal":
        return f"lognormal {_duration_text(value['mean'])} sd {_duration_text(value['sd'])}"
    if kind == "uniform":
        return f"uniform {_duration_text(value[0])}-{_duration_text(value[1])}"
    return f"{kind} {_duration_text(value)}"


def _set_fleet(station: str, unit_type: str, count: int):
    def apply(data: dict) -> dict:
        for entry in data["city"]["stations"]:
            if entry["id"] == station:
                entry["units"][unit_type] = count
        return data
    return apply


def _set_policy(policy: str):
    def apply(data: dict) -> dict:
        data.setdefault("dispatch", {})["policy"] = policy
        return data
    return apply


def _set_sops(sops: str):
    def apply(data: dict) -> dict:
        # An absolute folder: the variant's scenario keeps the base scenario's folder for its own paths.
        data["sops"] = sops if sops == "shipped" else str(Path(sops))
        return data
    return apply


def _scale_rate(incident_type: str | None, scale: float):
    def apply(data: dict) -> dict:
        for generator in data.get("incidents", []):
            if incident_type is None or generator["type"] == incident_type:
                generator["rate_per_hour"] = generator["rate_per_hour"] * scale
        return data
    return apply


def _set_answer(role: str, answer: str, delay: dict):
    def apply(data: dict) -> dict:
        behaviour = data.setdefault("behaviour", {})
        target = behaviour.setdefault("default", {}) if role == "default" \
            else behaviour.setdefault("roles", {}).setdefault(role, {})
        target[answer] = dict(delay)
        return data
    return apply
