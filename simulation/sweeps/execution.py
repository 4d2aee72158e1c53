"""Running a sweep: each replication of each variant is one task on an executor.

The executor is any `concurrent.futures.Executor`: a Dask cluster's (`Client.get_executor()`,
see `simulation.sweeps.cluster`), or `InlineExecutor` to run in this process. A task returns only
the replication's KPIs (a few hundred numbers), never its records, so little crosses the network.

The same sweep gives the same table whatever runs it: replication r of every variant draws from
seed `SeedSequence(seed, spawn_key=(r,))`, the r-th child of the sweep's seed (the same seeds
as `iccc drill run`, and common to all variants, so differences between variants are paired);
results are placed by (variant, replication), never by the order they finish in; and the number
of replications a precision target asks for is decided from the results of whole rounds, which
are the same on one worker or a hundred.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass

import numpy as np

from simulation.engine import run_replication
from simulation.kpis import replication_kpis
from simulation.scenario import Scenario
from simulation.sweeps.cache import ReplicationCache, code_version, replication_key
from simulation.sweeps.intervals import half_width, mean_interval
from simulation.sweeps.spec import LoadedSweep, Target
from simulation.sweeps.variants import Variant


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication `replication`: the same as `SeedSequence(seed).spawn(n)[replication]`."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def run_one(scenario: Scenario, replication: int, seed: int) -> dict[str, float]:
    """One replication's KPIs (a task: top-level, so any worker process can run it)."""
    records = run_replication(scenario, replication, replication_seed(seed, replication))
    return {name: value for name, value in replication_kpis(records).items() if math.isfinite(value)}


@dataclass(frozen=True)
class Progress:
    done: int
    planned: int
    from_cache: int


@dataclass(frozen=True)
class SweepRun:
    """Every replication's KPIs, by variant number and replication number."""

    kpis: dict[tuple[int, int], dict[str, float]]
    from_cache: int
    ran: int

    def replications_of(self, variant: int) -> list[dict[str, float]]:
        return [kpis for (number, _r), kpis in sorted(self.kpis.items()) if number == variant]


def precision_met(target: Target, per_replication: list[dict[str, float]]) -> bool:
    """Whether the KPI's interval is as narrow as the target asks (always, with no precision asked)."""
    if target.precision is None:
        return True
    interval = mean_interval([kpis[target.kpi] for kpis in per_replication if target.kpi in kpis])
    if interval.n == 0:
        return True  # the KPI never occurs in this variant: more replications will not narrow it
    return not math.isnan(interval.width) and half_width(interval) <= target.precision


def next_replications(loaded: LoadedSweep, per_replication: list[dict[str, float]]) -> int:
    """How many replications a variant should have after this round (as many as it has: enough)."""
    n = len(per_replication)
    if all(precision_met(t, per_replication) for t in loaded.sweep.targets):
        return n
    return min(loaded.sweep.most_replications, 2 * n)


def run_sweep(loaded: LoadedSweep, variants: list[Variant], *, executor: Executor,
              cache: ReplicationCache | None = None,
              on_progress: Callable[[Progress], None] = lambda progress: None) -> SweepRun:
    """Run every variant's replications until each meets its precision targets or the maximum.

    Args:
        loaded: the checked sweep.
        variants: its variants (`expand(loaded)`).
        executor: where the replications run (a Dask cluster's executor, or in this process).
        cache: finished replications to reuse and to add to; none kept without it.
        on_progress: called after each replication is done or read from the cache.
    """
    code = code_version()
    planned = {variant.number: loaded.sweep.replications for variant in variants}
    results: dict[tuple[int, int], dict[str, float]] = {}
    from_cache = ran = 0
    while True:
        wanted = [(variant, r) for variant in variants for r in range(planned[variant.number])
                  if (variant.number, r) not in results]
        if not wanted:
            break
        total = sum(planned.values())
        keys = {}
        for variant, r in wanted:
            key = replication_key(variant.scenario, seed=loaded.seed, replication=r, code=code)
            cached = cache.get(key) if cache is not None else None
            if cached is not None:
                results[(variant.number, r)] = cached
                from_cache += 1
                on_progress(Progress(len(results), total, from_cache))
            else:
                keys[(variant.number, r)] = (variant, key)
        futures: dict[Future, tuple[int, int]] = {
            executor.submit(run_one, variant.scenario, replication, loaded.seed): (number, replication)
            for (number, replication), (variant, _key) in keys.items()}
        try:
            for future in as_completed(futures):
                place = futures[future]
                kpis = future.result()
                if cache is not None:
                    cache.put(keys[place][1], kpis)
                results[place] = kpis
                ran += 1
                on_progress(Progress(len(results), total, from_cache))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        for variant in variants:
            done = [results[(variant.number, r)] for r in range(planned[variant.number])]
            planned[variant.number] = next_replications(loaded, done)
    return SweepRun(kpis=results, from_cache=from_cache, ran=ran)
