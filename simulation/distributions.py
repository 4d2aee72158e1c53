"""Delay distributions of a scenario (acknowledgement, completion, time on scene, decisions).

Written in a scenario as one key naming the distribution, durations in the SOP notation:

    {fixed: 2m}  {exponential: 5m}  {lognormal: {mean: 20m, sd: 10m}}  {uniform: [1m, 4m]}

Sampling takes the replication's `Draws` (its seeded generator), never the global one.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulation.draws import Draws
from sop_engine import parse_duration_s


def seconds(value: Any) -> float:
    """Read a duration: a number of seconds or an SOP duration (`90s`, `5m`, `2h`)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text like 5m")
    if isinstance(value, (int, float)):
        if value < 0 or not math.isfinite(value):
            raise ValueError("a duration must be a finite number of seconds, zero or more")
        return float(value)
    if isinstance(value, str):
        return float(parse_duration_s(value))
    raise ValueError("a duration is a number of seconds or text like 5m")


class LogNormal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mean: float
    sd: float

    @field_validator("mean", "sd", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return seconds(value)


class Delay(BaseModel):
    """One delay distribution; exactly one of its keys is given."""

    model_config = ConfigDict(extra="forbid")

    fixed: float | None = None
    exponential: float | None = Field(default=None, description="the mean")
    lognormal: LogNormal | None = None
    uniform: tuple[float, float] | None = None

    @field_validator("fixed", "exponential", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return seconds(value)

    @field_validator("uniform", mode="before")
    @classmethod
    def _bounds(cls, value: Any) -> tuple[float, float]:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ValueError("uniform takes [low, high]")
        low, high = seconds(value[0]), seconds(value[1])
        if high < low:
            raise ValueError("uniform: high is below low")
        return low, high

    @model_validator(mode="after")
    def _exactly_one(self) -> "Delay":
        given = [name for name in ("fixed", "exponential", "lognormal", "uniform") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of fixed, exponential, lognormal, uniform")
        return self

    @property
    def mean_s(self) -> float:
        if self.fixed is not None:
            return self.fixed
        if self.exponential is not None:
            return self.exponential
        if self.lognormal is not None:
            return self.lognormal.mean
        assert self.uniform is not None
        return sum(self.uniform) / 2

    def sample_s(self, draws: Draws) -> float:
        """Draw one delay in seconds."""
        if self.fixed is not None:
            return self.fixed
        if self.exponential is not None:
            return draws.exponential(self.exponential) if self.exponential > 0 else 0.0
        if self.lognormal is not None:
            mean, sd = self.lognormal.mean, self.lognormal.sd
            if mean <= 0:
                return 0.0
            sigma2 = math.log(1 + (sd / mean) ** 2)  # moments of the lognormal matched to mean and sd
            return draws.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
        assert self.uniform is not None
        return draws.uniform(*self.uniform)


def fixed(value_s: float) -> Delay:
    """A delay that is always `value_s`."""
    return Delay(fixed=value_s)
