"""Sweeps: many variants of a drill (fleet, policy, SOP set, arrival rates, answer delays), each
replicated until its KPIs are known as precisely as asked, on a Dask cluster.

    loaded = load_sweep("monsoon.sweep.yaml")
    variants = expand(loaded)
    with dask_executor() as executor:
        run = run_sweep(loaded, variants, executor=executor, cache=ReplicationCache(folder))
    analysis = analyse(loaded, variants, run)
"""

from simulation.sweeps.analysis import MarginalGain, SweepAnalysis, analyse, gain_sentence
from simulation.sweeps.cache import ReplicationCache, code_version, replication_key
from simulation.sweeps.cluster import dask_executor
from simulation.sweeps.execution import Progress, SweepRun, replication_seed, run_one, run_sweep
from simulation.sweeps.intervals import Interval, mean_interval, paired_difference_interval, share_interval
from simulation.sweeps.report import verdict, write_sweep_report
from simulation.sweeps.results import tidy_table, write_table
from simulation.sweeps.spec import LoadedSweep, Sweep, load_sweep, sweep_from_text
from simulation.sweeps.variants import Variant, expand

__all__ = [
    "Interval",
    "LoadedSweep",
    "MarginalGain",
    "Progress",
    "ReplicationCache",
    "Sweep",
    "SweepAnalysis",
    "SweepRun",
    "Variant",
    "analyse",
    "code_version",
    "dask_executor",
    "expand",
    "gain_sentence",
    "load_sweep",
    "mean_interval",
    "paired_difference_interval",
    "replication_key",
    "replication_seed",
    "run_one",
    "run_sweep",
    "share_interval",
    "sweep_from_text",
    "tidy_table",
    "verdict",
    "write_sweep_report",
    "write_table",
]
