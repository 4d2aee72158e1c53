"""Benchmark: exact optimiser vs closest-available-unit on generated surge scenarios.

Many incidents at once, mostly in one district, mixed needs and severities, on a seeded grid
city: by default 80 simultaneous incidents needing about 175 units from a fleet of 120 parked
at 12 stations, so the hotspot has far more demands than nearby units. Prints per scenario
the priority-weighted response time greedy / optimised (aim: >= 1.10 under surge) and the
optimiser's gap to an independent exact optimum (scipy's Hungarian algorithm on the
slot-by-unit matrix; aim: 0), then a sweep of surge levels to show where the advantage comes from.

    .venv/bin/python bench/dispatch_surge.py [--scenarios 10] [--incidents 80] [--units 120] [--rows 60] [--sweep 20 40 ...]
"""

from __future__ import annotations

import argparse
import random
import statistics

import numpy as np
from scipy.optimize import linear_sum_assignment

from coordination.planner import DispatchOptions, TravelTimes, build_problem, recommend_greedy, recommend_optimal

from dispatch_scenarios import make_city, make_surge, make_units


def hungarian_optimum(problem) -> tuple[int, int]:
    """(unserved weight, weighted response time) of the exact optimum, by linear_sum_assignment."""
    slots = [g for g in problem.groups for _ in range(g.count)]
    unit_count = len(problem.units)
    big = 1 + sum(g.priority * (int(g.eta_s[-1]) if len(g.eta_s) else 0) for g in slots)
    forbidden = big * 1000 * max([g.priority for g in slots] or [1])
    cost = np.full((len(slots), unit_count + len(slots)), forbidden, dtype=np.float64)
    for row, group in enumerate(slots):
        cost[row, group.unit_indices] = group.priority * group.eta_s
        cost[row, unit_count + row] = group.priority * big  # this slot left unserved
    rows, cols = linear_sum_assignment(cost)
    unserved = sum(slots[r].priority for r, c in zip(rows, cols) if c >= unit_count)
    weighted = sum(int(cost[r, c]) for r, c in zip(rows, cols) if c < unit_count)
    return unserved, weighted


def run_level(*, city, travel, options, args, incidents: int, verbose: bool) -> tuple[list[float], list[float], int]:
    """Run the scenarios at one surge level; return the ratios, the gaps and the mean load (slots per unit)."""
    ratios, gaps, loads = [], [], []
    for scenario in range(args.scenarios):
        rng = random.Random(args.seed * 1000 + scenario)
        units = make_units(city=city, count=args.units, stations=12, rng=rng)
        demands = make_surge(city=city, count=incidents, rng=rng, cols=args.rows)
        optimal = recommend_optimal(demands=demands, units=units, travel=travel, options=options)
        greedy = recommend_greedy(demands=demands, units=units, travel=travel, options=options)
        exact = hungarian_optimum(build_problem(demands=demands, units=units, travel=travel, options=options))
        gap = (optimal.objective - exact[1]) / exact[1] if exact[0] == optimal.unserved_weight else float("nan")
        # Response times compare only between plans that serve the same priority; the optimiser
        # never serves less (it minimises unserved weight first), so a difference is flagged.
        comparable = greedy.unserved_weight == optimal.unserved_weight
        ratio = greedy.objective / optimal.objective
        if comparable:
            ratios.append(ratio)
        gaps.append(gap)
        slots = sum(d.slot_count for d in demands)
        loads.append(slots / len(units))
        if verbose:
            print(f"{scenario:8d}  {slots:5d}  {len(units):5d}  {greedy.objective:10d}  {optimal.objective:11d}  "
                  f"{ratio:10.3f}  {greedy.unserved_weight:17d}  {optimal.unserved_weight:14d}  {gap:12.4%}"
                  + ("" if comparable else "  (greedy leaves more priority unserved: not averaged)"))
    return ratios, gaps, statistics.mean(loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10)
    parser.add_argument("--incidents", type=int, default=80,
                        help="simultaneous incidents (default 80: about 1.45 units needed per unit in the city)")
    parser.add_argument("--units", type=int, default=120)
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--max-travel-s", type=float, default=None)
    parser.add_argument("--sweep", type=int, nargs="*", default=[20, 40, 60, 80, 100],
                        help="also print the mean ratio at these incident counts (empty: no sweep)")
    args = parser.parse_args()

    city = make_city(rows=args.rows, cols=args.rows, seed=args.seed)
    travel = TravelTimes(network=city)
    options = DispatchOptions(max_travel_s=args.max_travel_s)
    print("scenario  slots  units  greedy_obj  optimal_obj  greedy/opt  greedy_unserved_w  opt_unserved_w  gap_to_exact")
    ratios, gaps, load = run_level(city=city, travel=travel, options=options, args=args, incidents=args.incidents,
                                   verbose=True)
    print(f"RATIO greedy/optimised priority-weighted response time at {args.incidents} incidents "
          f"(load {load:.2f} units needed per unit): mean {statistics.mean(ratios):.3f}, min {min(ratios):.3f}, "
          f"max {max(ratios):.3f} over {len(ratios)} comparable scenarios  [aim >= 1.10 under surge]")
    print(f"GAP optimised vs exact (Hungarian): max {max(gaps):.4%}  [aim 0]")
    if args.sweep:
        print("SWEEP  incidents  load  mean_ratio  min_ratio  max_gap")
        for incidents in args.sweep:
            level_ratios, level_gaps, level_load = run_level(city=city, travel=travel, options=options, args=args,
                                                             incidents=incidents, verbose=False)
            print(f"SWEEP  {incidents:9d}  {level_load:4.2f}  {statistics.mean(level_ratios):10.3f}  "
                  f"{min(level_ratios):9.3f}  {max(level_gaps):7.4%}")
    print("note: greedy is the closest available unit, most urgent incident first (stronger than arrival order). "
          "The optimiser's advantage grows with the surge: when units are plentiful the closest one is usually "
          "right; when incidents outnumber nearby units, sending the closest strips an area another incident needed.")


if __name__ == "__main__":
    main()
