"""Benchmark: relief routing (VRPTW) on Solomon C1 and R1, gap to the best-known distance.

Distances in the truncated one-decimal convention of the exact-method literature, compared
with `cvrplib_opt_distance_trunc1dec` in bks_c1_r1.csv (minimum distance, any fleet size).
With --pyvrp-python, the same instances are solved by PyVRP (benchmark-only, in its own
virtualenv) with the same time limit, and its gap is printed beside.

    .venv/bin/python bench/dispatch_solomon.py [--time-limit 2] [--instances C101,R101]
        [--pyvrp-python /tmp/dispatch-bench-venv/bin/python]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

from coordination.dispatch import DistanceConvention, RoutingStatus, load_solomon, plan_relief_routes

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "data" / "solomon"
RUNNER = Path(__file__).resolve().parent / "dispatch_pyvrp_runner.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds per instance per solver")
    parser.add_argument("--instances", default="", help="comma-separated names; default all C1 and R1")
    parser.add_argument("--pyvrp-python", default="", help="interpreter with pyvrp installed")
    parser.add_argument("--data", type=Path, default=SOLOMON)
    args = parser.parse_args()
    bks_file = args.data / "bks_c1_r1.csv"
    if not bks_file.exists():
        sys.exit(f"needs {bks_file} (the shared reference data is absent)")
    with bks_file.open() as handle:
        bks = {row["instance"]: float(row["cvrplib_opt_distance_trunc1dec"]) for row in csv.DictReader(handle)}
    names = [n for n in args.instances.split(",") if n] or sorted(bks)

    ortools_gaps, pyvrp_gaps = [], []
    print(f"time limit {args.time_limit} s per instance per solver")
    print("instance  best_known  ortools  veh  gap      pyvrp    veh  gap")
    for name in names:
        instance = load_solomon(path=args.data / f"{name}.txt")
        plan = plan_relief_routes(instance=instance, time_limit_s=args.time_limit,
                                  convention=DistanceConvention.TRUNC1)
        ok = plan.status in (RoutingStatus.FEASIBLE, RoutingStatus.OPTIMAL)
        gap = plan.distance / bks[name] - 1 if ok else float("nan")
        ortools_gaps.append(gap)
        line = f"{name:8s}  {bks[name]:10.1f}  {plan.distance:7.1f}  {plan.vehicle_count:3d}  {gap:7.2%}"
        if args.pyvrp_python:
            out = subprocess.run([args.pyvrp_python, str(RUNNER), str(args.data / f"{name}.txt"),
                                  str(args.time_limit)], capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            pgap = result["distance"] / bks[name] - 1 if result["feasible"] else float("nan")
            pyvrp_gaps.append(pgap)
            line += f"  {result['distance']:7.1f}  {result['vehicles']:3d}  {pgap:7.2%}"
        print(line, flush=True)
    for label, prefix in (("C1", "C"), ("R1", "R"), ("all", "")):
        chosen = [i for i, n in enumerate(names) if n.startswith(prefix)]
        if not chosen:
            continue
        summary = f"MEAN GAP {label}: ortools {statistics.mean(ortools_gaps[i] for i in chosen):.2%}"
        if pyvrp_gaps:
            summary += (f", pyvrp {statistics.mean(pyvrp_gaps[i] for i in chosen):.2%}, difference "
                        f"{100 * statistics.mean(ortools_gaps[i] - pyvrp_gaps[i] for i in chosen):.2f} points")
        print(summary)


if __name__ == "__main__":
    main()
