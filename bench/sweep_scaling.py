"""Benchmark: replications per wall second of one sweep on Dask with 1 and 2 workers, and the Dask
path with one worker beside the in-process runner (the same replications, no cache).

    .venv/bin/python bench/sweep_scaling.py [--replications 6] [--hours 12]

Prints each configuration's replications per wall second and the ratios the issue aims at:
two workers over one (at least 1.6 on two cores) and the in-process runner over Dask with one
worker (the Dask path's overhead, at most 1.2). Workers are started and have imported the
engine before the clock starts (a cluster is started once per sweep, then runs for hours); that
start is printed on its own. Run it on a quiet machine: `uptime` load below 3.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from distributed import Client

from simulation import InlineExecutor
from simulation.sweeps import expand, load_sweep, run_sweep, tidy_table
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


def _warm(client: Client) -> None:
    """Import the engine on every worker (what the first task would otherwise pay)."""
    client.run(lambda: __import__("simulation.sweeps.execution"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=6, help="per variant (4 variants)")
    parser.add_argument("--hours", type=float, default=12, help="simulated hours per replication")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "scenario.yaml"
        scenario.write_text(SCENARIO.read_text(encoding="utf-8").replace("duration: 4h", f"duration: {args.hours * 3600:.0f}"),
                            encoding="utf-8")
        sweep = Path(folder) / "sweep.yaml"
        sweep.write_text(SWEEP.format(scenario=scenario, replications=args.replications), encoding="utf-8")
        loaded = load_sweep(sweep)
        variants = expand(loaded)
        total = len(variants) * args.replications
        rates, tables = {}, {}

        started = time.perf_counter()
        run = run_sweep(loaded, variants, executor=InlineExecutor())
        rates["in-process"] = total / (time.perf_counter() - started)
        tables["in-process"] = tidy_table(loaded, variants, run)
        for workers in (1, 2):
            started = time.perf_counter()
            with local_cluster(workers) as cluster, Client(cluster) as client:
                _warm(client)
                ready_s = time.perf_counter() - started
                started = time.perf_counter()
                run = run_sweep(loaded, variants, executor=client.get_executor())
                rates[f"dask {workers}"] = total / (time.perf_counter() - started)
                tables[f"dask {workers}"] = tidy_table(loaded, variants, run)
            print(f"dask, {workers} worker(s): cluster up and warm in {ready_s:.1f} s")
    same = all(table.equals(tables["in-process"]) for table in tables.values())
    print(f"{total} replications of {args.hours:g} h (small-city, 4 variants); load average at start {load:.1f}; "
          f"CPUs {os.cpu_count()}; the same table from every configuration: {same}")
    for name, rate in rates.items():
        print(f"{name:12s} {rate:6.2f} replications per wall second")
    print(f"dask 2 workers / dask 1 worker:      {rates['dask 2'] / rates['dask 1']:.2f}  (aim >= 1.6)")
    print(f"in-process / dask 1 worker (overhead): {rates['in-process'] / rates['dask 1']:.2f}  (aim <= 1.2)")


if __name__ == "__main__":
    main()
