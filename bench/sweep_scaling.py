"""Benchmark: replications per wall second of one sweep on Dask with 1 and 2 workers, and the Dask
path with one worker beside the in-process runner (the same replications, no cache).

    .venv/bin/python bench/sweep_scaling.py [--replications 4] [--hours 96]

Prints each configuration's replications per wall second and the ratios the issue aims at:
two workers over one (at least 1.6 on two cores) and the in-process runner over Dask with one
worker (the Dask path's overhead, at most 1.2). Every process (each worker, and this one for the
in-process runner) first runs one short replication, for its imports and per-process caches,
before the clock starts: a sweep's cluster starts once and then runs for hours. That start is
printed on its own. The configurations run in turn, `--rounds` times, and each one's median is
compared: on a machine shared with other work, a configuration timed alone is timed against
whatever else ran then. Run it on a quiet machine: `uptime` load below 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from distributed import Client

from simulation import InlineExecutor, Scenario
from simulation.sweeps import expand, load_sweep, run_one, run_sweep, tidy_table
from simulation.sweeps.cluster import local_cluster

SCENARIO = Path(__file__).resolve().parents[1] / "simulation" / "scenarios" / "small-city.yaml"
SWEEP = """\
name: sweep-scaling
scenario: {scenario}
replications: {replications}
vary:
  fleet:
    - {{station: north, unit_type: ambulance, counts: [1, 2, 3, 4]}}
"""


def _warm(scenario: Scenario, run=None) -> None:
    """Run one short replication (imports, per-process caches) on every worker, or here."""
    short = scenario.model_copy(update={"duration": 600.0})
    if run is None:
        run_one(short, 0, 0)
    else:
        run(run_one, short, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4, help="per variant (4 variants)")
    parser.add_argument("--hours", type=float, default=96, help="simulated hours per replication")
    parser.add_argument("--rounds", type=int, default=3,
                        help="each configuration this many times, interleaved; the median is reported")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        scenario = Path(folder) / "scenario.yaml"
        scenario.write_text(SCENARIO.read_text(encoding="utf-8").replace("duration: 4h", f"duration: {args.hours * 3600:.0f}"),
                            encoding="utf-8")
        sweep = Path(folder) / "sweep.yaml"
        sweep.write_text(SWEEP.format(scenario=scenario, replications=args.replications), encoding="utf-8")
        loaded = load_sweep(sweep)
        variants = expand(loaded)
        total = len(variants) * args.replications
        executors = {"in-process": InlineExecutor()}
        _warm(variants[0].scenario)
        for workers in (1, 2):
            started = time.perf_counter()
            cluster = stack.enter_context(local_cluster(workers))
            client = stack.enter_context(Client(cluster))
            _warm(variants[0].scenario, client.run)
            print(f"dask, {workers} worker(s): cluster up and warm in {time.perf_counter() - started:.1f} s")
            executors[f"dask {workers}"] = client.get_executor()
        rates: dict[str, list[float]] = {name: [] for name in executors}
        tables = {}
        # Interleaved rounds: the machine's other work slows each configuration alike.
        for _round in range(args.rounds):
            for name, executor in executors.items():
                started = time.perf_counter()
                run = run_sweep(loaded, variants, executor=executor)
                rates[name].append(total / (time.perf_counter() - started))
                tables[name] = tidy_table(loaded, variants, run)
    same = all(table.equals(tables["in-process"]) for table in tables.values())
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"{total} replications of {args.hours:g} h (small-city, 4 variants) x {args.rounds} rounds; load average "
          f"at start {load:.1f}; CPUs {os.cpu_count()}; the same table from every configuration: {same}")
    for name, values in rates.items():
        print(f"{name:12s} {median[name]:6.2f} replications per wall second (median; rounds "
              + ", ".join(f"{v:.2f}" for v in values) + ")")
    print(f"dask 2 workers / dask 1 worker:        {median['dask 2'] / median['dask 1']:.2f}  (aim >= 1.6)")
    print(f"in-process / dask 1 worker (overhead): {median['in-process'] / median['dask 1']:.2f}  (aim <= 1.2)")


if __name__ == "__main__":
    main()
