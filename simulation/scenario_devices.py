"""The drill city's devices (message signs, sirens, pumps, barriers) and how they answer commands.

    devices:
      - {id: vms-ring-road-1, kind: message_sign, at: [77.590, 12.968], agency: traffic-police}
    behaviour:
      devices:
        default: {confirm: {exponential: 20s}, failure: 0.05, no_answer: 0.02}
        kinds: {siren: {confirm: {fixed: 5s}}}

An SOP's `command` step finds them as it finds the registry's devices live: by id, or by kind
within `within_m` of the incident. Each command is answered after a `confirm` delay, as a
failure (the device reports it could not do it) with probability `failure`, never with
probability `no_answer` (the step's deadline and ladder take over), and confirmed otherwise.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from simulation.distributions import Delay
from simulation.scenario_base import Point, Strict, check_point

DEVICE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
"""As an SOP's `command: {ids: [...]}` writes them (`sop_engine.loader`)."""
DEVICE_KIND = r"^[a-z][a-z0-9_]{0,63}$"

DEFAULT_CONFIRM = Delay(exponential=30)
"""A sign or a siren answers in seconds over a healthy field link."""


class Device(Strict):
    id: str = Field(pattern=DEVICE_ID)
    kind: str = Field(pattern=DEVICE_KIND)
    at: Point
    agency: str = ""
    """The owning agency's code, as the registry records it (none given: the scenario's first agency)."""

    _place = field_validator("at")(lambda cls, value: check_point(value))


class DeviceBehaviour(Strict):
    """How devices answer. Unset fields take the default behaviour's."""

    confirm: Delay | None = None
    """From the command until the device's answer (a confirmation or a failure)."""
    failure: float | None = Field(default=None, ge=0, le=1)
    """Share of commands the device answers with a failure (a stuck sign, a pump that will not start)."""
    no_answer: float | None = Field(default=None, ge=0, le=1)
    """Share of commands never answered (the device is off the network)."""


class DeviceBehaviours(Strict):
    default: DeviceBehaviour = Field(default_factory=DeviceBehaviour)
    kinds: dict[str, DeviceBehaviour] = Field(default_factory=dict)

    def of(self, kind: str) -> tuple[Delay, float, float]:
        """The confirmation delay, failure and no-answer shares of a kind of device."""
        base, own = self.default, self.kinds.get(kind, DeviceBehaviour())
        return (
            own.confirm or base.confirm or DEFAULT_CONFIRM,
            own.failure if own.failure is not None else (base.failure or 0.0),
            own.no_answer if own.no_answer is not None else (base.no_answer or 0.0),
        )

    @model_validator(mode="after")
    def _shares_fit(self) -> "DeviceBehaviours":
        # One draw decides each answer (silent, failed or confirmed): the first two shares must leave room.
        for kind in ("", *self.kinds):
            _confirm, failure, no_answer = self.of(kind)
            if failure + no_answer > 1:
                where = f"kinds.{kind}" if kind else "default"
                raise ValueError(f"{where}: failure ({failure:g}) and no_answer ({no_answer:g}) add up to more than 1")
        return self
