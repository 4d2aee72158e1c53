"""Replaying one part of a split log with a calibration, and setting its received-to-on-scene
percentiles beside the log's."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.engine import Drill
from simulation.records import DrillRecords
from simulation.trace import ReplayComparison, replay_scenario
from simulation.calibration.call_log import LogPart, SplitLog
from sop_engine import Severity

PERCENTILES = (50, 75, 90, 95)
"""The percentiles a calibration is judged on: the body and the tail planners plan for."""


def replay_part(log: SplitLog, part: LogPart, calibration: dict, *, seed: int = 0) -> DrillRecords:
    """Replay `part`'s calls with the fleet, station areas and on-scene times the fitting part
    showed (what a city knows before the week it predicts), in the city the whole log spans."""
    scenario, arrivals = replay_scenario(list(log.everything.calls), list(log.fit.units), hours=part.hours,
                                         seed=seed, calibration=calibration, start_at=part.start)
    return Drill(scenario=scenario, replication=0, rng=np.random.default_rng(seed), arrivals=arrivals).run()


@dataclass(frozen=True)
class PartComparison:
    """Received to first unit on scene over one part of the log: logged and simulated percentiles
    over the same calls (`calls`: how many have both)."""

    name: str
    calls: int
    logged_s: tuple[float, ...]
    simulated_s: tuple[float, ...]

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(s / l for s, l in zip(self.simulated_s, self.logged_s))

    @property
    def worst_error(self) -> float:
        """The largest relative gap over the judged percentiles (0.1: within 10%)."""
        return max(abs(r - 1) for r in self.ratios)


@dataclass(frozen=True)
class PairedResponse:
    severity: Severity
    logged_s: float
    simulated_s: float


def paired_responses(part: LogPart, records: DrillRecords) -> list[PairedResponse]:
    """Each call that has a time both in the log and in the replay, with both.

    The replay declares the part's calls in the log's order, so the n-th replayed incident is the
    n-th call. Pairing keeps the same calls on both sides: a call the log answered only with units
    the replay does not model (a chief, a support unit) has a logged time and no simulated one,
    and left in, such calls shifted the logged distribution by their own (a tenth of the calls).
    """
    replayed = [incident for incident in records.incidents if incident.origin == "logged"]
    if len(replayed) != len(part.calls):
        raise ValueError(f"{len(replayed)} replayed incidents for {len(part.calls)} calls")
    return [PairedResponse(call.severity, call.logged_on_scene_s, incident.response_s)
            for call, incident in zip(part.calls, replayed)
            if call.logged_on_scene_s is not None and incident.response_s is not None]


def compare_part(name: str, part: LogPart, records: DrillRecords) -> PartComparison:
    pairs = paired_responses(part, records)
    comparison = ReplayComparison(simulated_s=tuple(p.simulated_s for p in pairs),
                                  logged_s=tuple(p.logged_s for p in pairs))
    table = comparison.percentiles(PERCENTILES)
    return PartComparison(name=name, calls=len(pairs), logged_s=table["logged"], simulated_s=table["simulated"])
