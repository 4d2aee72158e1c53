"""Benchmark: how long `iccc --help` takes beside a bare `python -c pass`, and what loading the
solvers and the plotting library at start would add.

`iccc --help` and `iccc serve` load no solver (OR-Tools, PyVRP) or plotting library (matplotlib)
until a request uses one (tests/processes/test_start_up.py checks that); this prints the cost a
user sees at every command, as a ratio to the interpreter's own start measured in the same run.

    .venv/bin/python bench/start_up.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ICCC = Path(sys.executable).with_name("iccc")
DEFERRED = "import ortools.sat.python.cp_model, ortools.graph.python.min_cost_flow, pyvrp, matplotlib.figure"


def median_seconds(command: list[str], runs: int) -> float:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (the median is printed)")
    args = parser.parse_args()
    command = [str(ICCC)] if ICCC.exists() else [sys.executable, "-m", "processes"]
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    help_s = median_seconds([*command, "--help"], args.runs)
    deferred = median_seconds([sys.executable, "-c", DEFERRED], args.runs) - bare
    print(f"python -c pass            {bare * 1000:8.0f} ms  (baseline)")
    print(f"iccc --help               {help_s * 1000:8.0f} ms  {help_s / bare:6.1f}x the baseline")
    print(f"solvers + plotting, alone {deferred * 1000:8.0f} ms  loaded when first used, not at start "
          f"(would make iccc --help {(help_s + deferred) / bare:.1f}x)")


if __name__ == "__main__":
    main()
