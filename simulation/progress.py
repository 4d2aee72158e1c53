"""A drill that tells how far it has got: the console's progress bar.

Replications run one after another in this process, each exactly as `run_replication` runs it
(same seeds, same records); a SimPy process beside the drill's own reports the share of
simulated time done. It changes no state and draws no random number, and SimPy orders events
of equal time by when they were scheduled, so the drill's own events keep their order: the
records are those of `run_drill` (a test holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.engine import Drill
from simulation.records import DrillRecords
from simulation.runner import replication_seeds
from simulation.scenario import Scenario

TICKS_PER_REPLICATION = 50
"""Progress reports per replication: a smooth bar, and far fewer than the drill's own events."""


def run_drill_with_progress(scenario: Scenario, *, on_progress: Callable[[float], None],
                            ticks_per_replication: int = TICKS_PER_REPLICATION) -> list[DrillRecords]:
    """Run every replication of `scenario` in this process; call `on_progress(share)` as it goes.

    Args:
        scenario: the drill.
        on_progress: called with the share of the whole drill done, from 0 to 1 (1 at the end).
        ticks_per_replication: how many times per replication to report.
    """
    results: list[DrillRecords] = []
    total = scenario.replications
    for index, seed in enumerate(replication_seeds(scenario)):
        drill = Drill(scenario=scenario, replication=index, rng=np.random.default_rng(seed))
        drill.env.process(_ticks(drill, done_before=index, total=total, ticks=ticks_per_replication,
                                 on_progress=on_progress))
        results.append(drill.run())
        on_progress((index + 1) / total)
    return results


def _ticks(drill: Drill, *, done_before: int, total: int, ticks: int, on_progress: Callable[[float], None]):
    step_s = drill.scenario.duration / ticks
    for tick in range(1, ticks):
        yield drill.env.timeout(step_s)
        on_progress((done_before + tick / ticks) / total)
