"""Fitting the replay to the part of a log it may see.

What the log measures directly is taken directly: each unit type's turnout (dispatch to rolling)
as a lognormal with the log's mean and spread. What it cannot give directly is the drive: the
replay drives on a generated grid, not the city's streets. So the replay is run once at the
grid's free-flow speed, with no turnout, and each call's first unit's drive is set beside the
log's first unit's drive (rolling to on scene), per severity. Their quantiles (p50 to p95 in steps
of 5) are matched by least squares to `logged = offset + factor x free-flow`: the factor stretches
long drives as hills, one-way streets and traffic do, the offset is what every drive pays
whatever its length (leaving the district, finding the address, parking: about four minutes for
a Code 2 call in San Francisco, nothing for lights and sirens). A factor alone, as fitted before,
stretched the long drives as much as the body needed and left the tail 26% long.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

import numpy as np

from simulation.calibration.call_log import SplitLog
from simulation.calibration.replay import paired_responses, replay_part
from simulation.records import DrillRecords
from sop_engine import Severity

MATCHED_QUANTILES = tuple(range(10, 100, 5))
GRID_SPACING_M = 200.0
"""SF's blocks are about 100 m by 200 m; 200 m keeps the grid at about 55 x 60 nodes."""
REFINEMENTS = 2
"""Passes on the whole response after the drive is matched: the second moves the percentiles by
a few seconds."""
BEHAVIOUR = {"default": {"acknowledge": {"exponential": 60}, "complete": {"exponential": 1800}}}
"""Agencies' answers to the replay's SOP tasks: they change no response time."""


def lognormal_of(values: list[float]) -> dict:
    return {"lognormal": {"mean": round(statistics.mean(values), 1), "sd": round(statistics.stdev(values), 1)}}


def fit_offset_and_factor(logged_s: list[float], free_flow_s: list[float]) -> tuple[float, float]:
    """`offset, factor` so that the logged quantiles are closest to offset + factor x free-flow's
    (least squares); the offset is never negative (a drive cannot gain time by starting)."""
    logged = np.percentile(logged_s, MATCHED_QUANTILES)
    free = np.percentile(free_flow_s, MATCHED_QUANTILES)
    factor, offset = np.polyfit(free, logged, 1)
    if offset < 0 or factor <= 0:
        offset, factor = 0.0, float(np.dot(free, logged) / np.dot(free, free))
    return float(offset), float(factor)


def first_drives_s(records: DrillRecords) -> dict[Severity, list[float]]:
    """Each incident's first unit on scene: dispatch to on scene (the drive, with no turnout)."""
    first: dict[int, tuple[float, float]] = {}
    for dispatch in records.dispatches:
        if dispatch.on_scene_s is None:
            continue
        seen = first.get(dispatch.incident)
        if seen is None or dispatch.on_scene_s < seen[0]:
            first[dispatch.incident] = (dispatch.on_scene_s, dispatch.on_scene_s - dispatch.dispatched_s)
    drives: dict[Severity, list[float]] = defaultdict(list)
    for incident in records.incidents:
        if incident.incident in first:
            drives[Severity(incident.severity)].append(first[incident.incident][1])
    return dict(drives)


def fit_calibration(log: SplitLog, *, seed: int = 0, refinements: int = REFINEMENTS) -> dict:
    """The replay's calibration (`city` and `behaviour`, as `read_calibration` reads it), fitted on
    `log.fit` alone: the drive matched first, then `refinements` passes on the whole response."""
    turnouts = log.fit.turnouts_s()
    every_turnout = [t for values in turnouts.values() for t in values]
    free_flow = first_drives_s(replay_part(log, log.fit, {"city": {"spacing_m": GRID_SPACING_M},
                                                          "behaviour": BEHAVIOUR}, seed=seed))
    logged_drives = log.fit.first_drives_s()
    severities = sorted(set(free_flow) & set(logged_drives))
    drive = {severity: fit_offset_and_factor(logged_drives[severity], free_flow[severity]) for severity in severities}
    for _ in range(refinements):
        # The first unit on scene is the quickest of those sent (turnout and drive together),
        # and some calls wait for a free unit: correct the drive by what the whole response misses.
        pairs = paired_responses(log.fit, replay_part(log, log.fit, _calibration(drive, turnouts, every_turnout),
                                                      seed=seed))
        for severity in severities:
            logged = [p.logged_s for p in pairs if p.severity == severity]
            simulated = [p.simulated_s for p in pairs if p.severity == severity]
            gap = (np.percentile(logged, MATCHED_QUANTILES) - np.percentile(simulated, MATCHED_QUANTILES))
            step_factor, step_offset = np.polyfit(np.percentile(free_flow[severity], MATCHED_QUANTILES), gap, 1)
            offset, factor = drive[severity]
            drive[severity] = (max(0.0, offset + float(step_offset)), max(0.1, factor + float(step_factor)))
    return _calibration(drive, turnouts, every_turnout)


def _calibration(drive: dict[Severity, tuple[float, float]], turnouts: dict[str, list[float]],
                 every_turnout: list[float]) -> dict:
    factors = {severity.value: round(factor, 3) for severity, (_offset, factor) in drive.items()}
    offsets = {severity.value: round(offset, 1) for severity, (offset, _factor) in drive.items()}
    return {
        "city": {
            "spacing_m": GRID_SPACING_M,
            # Driving home is in normal traffic: the Code 2 factor, without the offset of a call.
            "speed_factor": factors.get(Severity.MODERATE.value, 1.0),
            "speed_factor_by_severity": factors,
            "drive_offset_by_severity": offsets,
            "turnout": lognormal_of(every_turnout),
            "turnout_by_unit_type": {unit_type: lognormal_of(values) for unit_type, values in sorted(turnouts.items())
                                     if len(values) >= 2},
        },
        "behaviour": BEHAVIOUR,
    }
