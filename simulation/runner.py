"""Replications: independent runs of one scenario, each with its own seed, in parallel processes.

The runner takes any `concurrent.futures.Executor`, so a cluster executor can replace the
process pool without touching the model. Seeds come from `numpy.random.SeedSequence(seed)
.spawn(n)`: statistically independent streams, the same ones whatever runs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import numpy as np

from simulation.engine import run_replication
from simulation.records import DrillRecords
from simulation.scenario import Scenario


class InlineExecutor(Executor):
    """Runs each call at once in this process: for tests, debugging and single replications."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future, as a pool would
            future.set_exception(error)
        return future


def replication_seeds(scenario: Scenario, first: int = 0) -> list[np.random.SeedSequence]:
    """One independent seed per replication, derived from the scenario's seed: replications
    `first` to `first + scenario.replications - 1` (a child's seed depends only on its number,
    so replications added later are the ones a longer run would have had)."""
    return np.random.SeedSequence(scenario.seed).spawn(first + scenario.replications)[first:]


def run_drill(scenario: Scenario, *, executor: Executor | None = None, policy: str | None = None,
              on_done: Callable[[DrillRecords], None] = lambda records: None,
              first_replication: int = 0) -> list[DrillRecords]:
    """Run every replication of `scenario`; return their records in replication order.

    Args:
        scenario: the drill.
        executor: where replications run; default a process pool of up to the CPU count.
        policy: dispatch policy overriding the scenario's (`greedy` or `optimised`).
        on_done: called in this process as each replication finishes (a progress bar).
        first_replication: the number of the first replication (more of a drill already run).
    """
    own = executor is None
    if own:
        executor = ProcessPoolExecutor(max_workers=max(1, min(scenario.replications, os.cpu_count() or 1)))
    try:
        futures = [executor.submit(run_replication, scenario, index, seed, policy)
                   for index, seed in enumerate(replication_seeds(scenario, first_replication), first_replication)]
        results: list[DrillRecords] = []
        for future in futures:
            records = future.result()
            on_done(records)
            results.append(records)
        return results
    finally:
        if own:
            executor.shutdown()
