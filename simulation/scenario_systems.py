"""Checks across a scenario's devices and readings that no one section can make alone, each
reported at its line: behaviour for a kind of device the city does not have, a rain that moves
no gauge, rules that are missing, invalid or watch none of the sensors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coordination.rules import RuleDefinitionError
from simulation.hydrograph import response_to
from simulation.scenario_devices import Device, DeviceBehaviours
from simulation.scenario_readings import Readings, trigger_rules
from sop_engine import SourceProblem


def check_city_systems(*, devices: list[Device], behaviours: DeviceBehaviours, readings: Readings | None,
                       agencies: set[str], base_dir: str | Path, lines: dict[tuple[Any, ...], int],
                       source: str) -> list[SourceProblem]:
    """Every problem found, in the order of the file; `agencies`: the codes of the scenario's agencies."""
    problems = []
    seen: set[str] = set()
    for index, device in enumerate(devices):
        if device.id in seen:
            problems.append(SourceProblem(source, lines.get(("devices", index), 1),
                                          f"devices: two devices share the id {device.id!r}"))
        if device.agency and device.agency not in agencies:
            problems.append(SourceProblem(source, lines.get(("devices", index, "agency"), 1),
                                          f"devices: {device.id} belongs to {device.agency!r}, which is not one of "
                                          "the scenario's agencies"))
        seen.add(device.id)
    kinds = {device.kind for device in devices}
    for kind in behaviours.kinds:
        if kind not in kinds:
            problems.append(SourceProblem(source, lines.get(("behaviour", "devices", "kinds", kind), 1),
                                          f"behaviour.devices.kinds: the city has no {kind} device"))
    if readings is None:
        return problems
    for index, event in enumerate(readings.events):
        if not any(response_to(sensor, event.rain) is not None for sensor in readings.sensors):
            problems.append(SourceProblem(
                source, lines.get(("readings", "events", index, "rain"), lines.get(("readings", "events", index), 1)),
                f"readings.events: the rain raises no sensor (none of kind {event.rain.kind} within "
                f"{event.rain.within_m:g} m of its line)"))
    try:
        trigger_rules(readings, base_dir, source=source, lines=lines)
    except RuleDefinitionError as error:
        problems.extend(error.problems)
    return problems
