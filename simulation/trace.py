"""Trace-driven drills: replay a real incident log (the San Francisco Fire Department's calls) and
set the simulated received-to-on-scene times beside the logged ones.

Each logged call becomes an incident at its received time and place, mapped to the closest
incident type of the vocabulary, asking for the units the log shows were sent (mapped to the
vocabulary's unit types) after the log's own received-to-dispatch delay. The fleet is the log's:
every unit is based at the centre of the station area it answered most calls in. Time on scene
per unit type follows a lognormal with the log's mean and spread. The streets are a generated
grid over the log's bounding box, since the log carries no road network.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from simulation.arrivals import Arrival
from simulation.scenario import Scenario
from sop_engine import Severity
from sop_engine.yaml_source import read_yaml

SF_CALL_TYPES: dict[str, str] = {
    "Medical Incident": "medical_emergency",
    "Traffic Collision": "road_accident",
    "Alarms": "building_fire",
    "Structure Fire": "building_fire",
    "Outside Fire": "building_fire",
    "Vehicle Fire": "building_fire",
    "Smoke Investigation (Outside)": "building_fire",
    "Gas Leak (Natural and LP Gases)": "gas_leak",
    "Odor (Strange / Unknown)": "gas_leak",
    "Fuel Spill": "chemical_accident",
    "Electrical Hazard": "power_outage",
    "Water Rescue": "flood",
    "Elevator / Escalator Rescue": "building_collapse",
}
"""SF call type to incident type (medical calls, 71% of the log, start the shipped
`medical-emergency` SOP). Unlisted types (citizen assist, other) are replayed as `tree_fall`,
a minor public-works call."""

EMERGENCY_PRIORITIES = frozenset({"3", "E"})
"""SF priorities answered with lights and sirens (Code 3; E: the medical 'echo' determinant);
these calls are `severe`, the rest (Code 2, medical A/B/C) `moderate`: driven in normal traffic."""

OTHER_CALL_TYPE = "tree_fall"

SF_UNIT_TYPES: dict[str, str] = {
    "MEDIC": "ambulance",
    "PRIVATE": "ambulance",
    "ENGINE": "fire_engine",
    "TRUCK": "ladder",
    "RESCUE SQUAD": "rescue_tender",
}
"""SF unit type to vocabulary unit type; chiefs, rescue captains, support and investigation units
are officers and logistics, not modelled."""

_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"


@dataclass(frozen=True)
class LoggedCall:
    call_number: str
    call_type: str
    received: datetime
    lon: float
    lat: float
    severity: Severity
    station_area: str
    dispatch_delay_s: float
    logged_on_scene_s: float | None
    """Received to the first unit on scene, as logged (None: no unit arrived)."""
    units: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class LoggedUnit:
    unit_id: str
    unit_type: str
    station_area: str
    on_scene_s: tuple[float, ...]


def _time(text: str) -> datetime | None:
    # The log's times are local (Pacific); only differences are used, so the zone is nominal.
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=timezone.utc) if text else None


def read_sf_calls(path: str | Path) -> tuple[list[LoggedCall], list[LoggedUnit]]:
    """Read the SF Fire Department calls-for-service CSV: one call per call number, one unit per unit id."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return sf_calls_from_rows(csv.DictReader(handle))


def sf_calls_from_rows(rows: Iterable[dict[str, str]]) -> tuple[list[LoggedCall], list[LoggedUnit]]:
    """Calls and units from the log's rows (a part of the log: the calls a calibration may see)."""
    rows_by_call: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        rows_by_call[row["Call Number"]].append(row)
    calls: list[LoggedCall] = []
    unit_areas: dict[str, Counter] = defaultdict(Counter)
    unit_types: dict[str, str] = {}
    unit_scene: dict[str, list[float]] = defaultdict(list)
    for number, rows in rows_by_call.items():
        first = rows[0]
        received = _time(first["Received DtTm"])
        location = first["Location"].strip("()").split(",")
        if received is None or len(location) != 2:
            continue
        lat, lon = float(location[0]), float(location[1])
        dispatched = [t for t in (_time(r["Dispatch DtTm"]) for r in rows) if t is not None]
        on_scene = [t for t in (_time(r["On Scene DtTm"]) for r in rows) if t is not None]
        wanted: Counter = Counter()
        for row in rows:
            unit_type = SF_UNIT_TYPES.get(row["Unit Type"])
            if unit_type is None:
                continue
            wanted[unit_type] += 1
            unit_types[row["Unit ID"]] = unit_type
            unit_areas[row["Unit ID"]][row["Station Area"]] += 1
            arrived, available = _time(row["On Scene DtTm"]), _time(row["Available DtTm"])
            if arrived is not None and available is not None and available > arrived:
                unit_scene[row["Unit ID"]].append((available - arrived).total_seconds())
        calls.append(LoggedCall(
            call_number=number, call_type=first["Call Type"], received=received, lon=lon, lat=lat,
            severity=Severity.SEVERE if first["Original Priority"] in EMERGENCY_PRIORITIES else Severity.MODERATE,
            station_area=first["Station Area"],
            dispatch_delay_s=max(0.0, (min(dispatched) - received).total_seconds()) if dispatched else 0.0,
            logged_on_scene_s=(min(on_scene) - received).total_seconds() if on_scene else None,
            units=tuple(sorted(wanted.items())),
        ))
    calls.sort(key=lambda c: (c.received, c.call_number))
    units = [LoggedUnit(unit_id, unit_types[unit_id], unit_areas[unit_id].most_common(1)[0][0],
                        tuple(unit_scene[unit_id])) for unit_id in sorted(unit_types)]
    return calls, units


def read_calibration(path: str | Path) -> dict:
    """The replay's calibration (see `simulation/scenarios/sf-replay-calibration.yaml`): the
    `city` settings (grid spacing, speed factors, turnout) and agency `behaviour` it sets."""
    data, _lines = read_yaml(Path(path).read_text(encoding="utf-8"), source=str(path))
    unknown = set(data) - {"city", "behaviour"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; a calibration has city and behaviour")
    return data


def replay_scenario(calls: list[LoggedCall], units: list[LoggedUnit], *, hours: float, seed: int = 0,
                    engine: str = "runtime", calibration: dict | None = None,
                    start_at: datetime | None = None) -> tuple[Scenario, list[Arrival]]:
    """A scenario with the log's fleet and city extent, and `hours` of calls from `start_at` (the
    first call by default) as arrivals.

    `calibration` (from `read_calibration`) sets the grid's block length, driving speed factors
    and turnout, which the log's on-scene times include; without it the replay drives at the
    grid's free-flow speeds and units roll the moment they are dispatched. The city (grid extent,
    station areas) comes from all of `calls`, so two windows of one log replay in the same city."""
    calibration = calibration or {}
    city_settings = dict(calibration.get("city") or {})
    spacing_m = float(city_settings.pop("spacing_m", 200.0))
    start = calls[0].received if start_at is None else start_at
    window = [c for c in calls if 0 <= (c.received - start).total_seconds() < hours * 3600]
    lons, lats = [c.lon for c in calls], [c.lat for c in calls]
    centre = ((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    width_m = (max(lons) - min(lons)) * 111_320 * math.cos(math.radians(centre[1]))
    height_m = (max(lats) - min(lats)) * 110_540
    areas: dict[str, list[LoggedCall]] = defaultdict(list)
    for call in calls:
        areas[call.station_area].append(call)
    fleet: dict[str, Counter] = defaultdict(Counter)
    for unit in units:
        fleet[unit.station_area][unit.unit_type] += 1
    stations = [{"id": f"sf-{area}", "at": [statistics.median(c.lon for c in areas[area]),
                                            statistics.median(c.lat for c in areas[area])],
                 "units": dict(fleet[area])} for area in sorted(fleet) if area in areas]
    scene_by_type: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        scene_by_type[unit.unit_type].extend(unit.on_scene_s)
    all_scene = [s for values in scene_by_type.values() for s in values]
    generators = [{"type": t, "rate_per_hour": 0, "severity": {"moderate": 1},
                   "on_scene": {"lognormal": {"mean": statistics.mean(all_scene),
                                              "sd": statistics.stdev(all_scene)}}}
                  for t in sorted(set(SF_CALL_TYPES.values()) | {OTHER_CALL_TYPE})]
    scenario = Scenario.model_validate({
        "name": f"sf-fire-replay-{hours:g}h", "seed": seed, "duration": hours * 3600, "engine": engine,
        "start": start,
        "city": {"grid": {"rows": max(2, int(height_m / spacing_m) + 1), "cols": max(2, int(width_m / spacing_m) + 1),
                          "spacing_m": spacing_m, "seed": seed, "centre": centre},
                 **city_settings, "stations": stations},
        "incidents": generators,
        "behaviour": calibration.get("behaviour") or {
            "default": {"acknowledge": {"exponential": 60}, "complete": {"exponential": 1800}}},
    })
    arrivals = [Arrival((c.received - start).total_seconds(), SF_CALL_TYPES.get(c.call_type, OTHER_CALL_TYPE),
                        c.severity, c.lon, c.lat, "logged", response=c.units or None,
                        dispatch_delay_s=c.dispatch_delay_s) for c in window]
    return scenario, arrivals


@dataclass(frozen=True)
class ReplayComparison:
    """Received-to-on-scene seconds, simulated and logged, for the same calls."""

    simulated_s: tuple[float, ...]
    logged_s: tuple[float, ...]

    def percentiles(self, qs: tuple[int, ...] = (50, 90, 95)) -> dict[str, tuple[float, ...]]:
        def of(values: tuple[float, ...]) -> tuple[float, ...]:
            ordered = sorted(values)
            return tuple(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] for q in qs) if ordered \
                else tuple(math.nan for _ in qs)
        return {"simulated": of(self.simulated_s), "logged": of(self.logged_s)}


def compare_replay(calls: list[LoggedCall], records) -> ReplayComparison:
    """Pair the replay's response times with the log's, over the calls the replay declared."""
    window = calls[:len([i for i in records.incidents if i.origin == "logged"])]
    return ReplayComparison(
        simulated_s=tuple(i.response_s for i in records.incidents if i.origin == "logged" and i.response_s is not None),
        logged_s=tuple(c.logged_on_scene_s for c in window if c.logged_on_scene_s is not None),
    )
