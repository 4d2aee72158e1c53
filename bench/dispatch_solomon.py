"""Benchmark: relief routing (VRPTW) on Solomon C1 and R1, gap to the best-known distance.

Distances in the truncated one-decimal convention of the exact-method literature, compared
with `cvrplib_opt_distance_trunc1dec` in bks_c1_r1.csv (minimum distance, any fleet size).
Each backend (PyVRP, the default, and OR-Tools) solves every instance with the same time limit,
one after the other; the mean gaps are printed per family side by side, with the default
backend's gap against the aim (at most 1 % to the best-known distances).

    .venv/bin/python bench/dispatch_solomon.py [--time-limit 10] [--instances C101,R101] [--backends ortools,pyvrp]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

from coordination.planner import (
    DEFAULT_RELIEF_BACKEND,
    RELIEF_BACKENDS,
    DistanceConvention,
    RoutingStatus,
    load_solomon,
    plan_relief,
)

SOLOMON = Path(__file__).resolve().parents[2] / "shared" / "data" / "solomon"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance per backend")
    parser.add_argument("--instances", default="", help="comma-separated names; default all C1 and R1")
    parser.add_argument("--backends", default=",".join(RELIEF_BACKENDS),
                        help="comma-separated backends (default: all, the default backend first)")
    parser.add_argument("--data", type=Path, default=SOLOMON)
    args = parser.parse_args()
    bks_file = args.data / "bks_c1_r1.csv"
    if not bks_file.exists():
        sys.exit(f"needs {bks_file} (the shared reference data is absent)")
    with bks_file.open() as handle:
        bks = {row["instance"]: float(row["cvrplib_opt_distance_trunc1dec"]) for row in csv.DictReader(handle)}
    names = [n for n in args.instances.split(",") if n] or sorted(bks)
    backends = [b for b in args.backends.split(",") if b]

    gaps: dict[str, list[float]] = {backend: [] for backend in backends}
    print(f"time limit {args.time_limit} s per instance per backend")
    print("instance  best_known" + "".join(f"  {b:>8s}  veh  gap    " for b in backends))
    for name in names:
        instance = load_solomon(path=args.data / f"{name}.txt")
        line = f"{name:8s}  {bks[name]:10.1f}"
        for backend in backends:
            plan = plan_relief(instance=instance, time_limit_s=args.time_limit, backend=backend,
                               convention=DistanceConvention.TRUNC1)
            ok = plan.status in (RoutingStatus.FEASIBLE, RoutingStatus.OPTIMAL)
            gap = plan.distance / bks[name] - 1 if ok else float("nan")
            gaps[backend].append(gap)
            line += f"  {plan.distance:8.1f}  {plan.vehicle_count:3d}  {gap:7.2%}"
        print(line, flush=True)
    for label, prefix in (("C1", "C"), ("R1", "R"), ("all", "")):
        chosen = [i for i, n in enumerate(names) if n.startswith(prefix)]
        if not chosen:
            continue
        summary = f"MEAN GAP {label}: " + ", ".join(
            f"{backend} {statistics.mean(gaps[backend][i] for i in chosen):.2%}" for backend in backends)
        if DEFAULT_RELIEF_BACKEND in backends:
            default_gap = statistics.mean(gaps[DEFAULT_RELIEF_BACKEND][i] for i in chosen)
            summary += f"; default ({DEFAULT_RELIEF_BACKEND}) {default_gap:.2%} [aim <= 1.00%]"
        if {"ortools", "pyvrp"} <= set(backends):
            summary += (f"; ortools minus pyvrp "
                        f"{100 * statistics.mean(gaps['ortools'][i] - gaps['pyvrp'][i] for i in chosen):.2f} points")
        print(summary)


if __name__ == "__main__":
    main()
