"""Solve one Solomon instance with PyVRP; run by dispatch_solomon.py in PyVRP's own interpreter.

Benchmark-only: PyVRP is not a project dependency. Uses the truncated one-decimal distance
convention (PyVRP's 'dimacs' scaling), prints JSON {"distance": ..., "vehicles": ..., "feasible": ...}.

    python bench/dispatch_pyvrp_runner.py PATH TIME_LIMIT_S
"""

from __future__ import annotations

import json
import math
import sys

from pyvrp import Model
from pyvrp.stop import MaxRuntime


def main() -> None:
    path, limit = sys.argv[1], float(sys.argv[2])
    lines = open(path).read().splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().upper().startswith("VEHICLE"))
    vehicles, capacity = (int(v) for v in next(l for l in lines[header + 1:] if l.strip()[:1].isdigit()).split()[:2])
    customer = next(i for i, line in enumerate(lines) if line.strip().upper().startswith("CUSTOMER"))
    rows = [[float(v) for v in l.split()[:7]] for l in lines[customer + 1:] if l.strip()[:1].isdigit()]
    scale = 10  # dimacs: distances truncated to one decimal, times likewise
    model = Model()
    depot_row = rows[0]
    # PyVRP 0.14: sites stand at locations, and edges join locations.
    sites = [model.add_location(x=row[1], y=row[2]) for row in rows]
    depot = model.add_depot(sites[0])
    for location, row in zip(sites[1:], rows[1:]):
        model.add_client(location, delivery=int(row[3]), tw_early=int(row[4] * scale), tw_late=int(row[5] * scale),
                         service_duration=int(row[6] * scale))
    model.add_vehicle_type(num_available=vehicles, capacity=capacity, start_depot=depot, end_depot=depot,
                           tw_early=int(depot_row[4] * scale), tw_late=int(depot_row[5] * scale))
    for a, ra in zip(sites, rows):
        for b, rb in zip(sites, rows):
            if a is b:
                continue
            d = int(math.floor(math.hypot(ra[1] - rb[1], ra[2] - rb[2]) * scale))
            model.add_edge(a, b, distance=d, duration=d)
    result = model.solve(stop=MaxRuntime(limit), display=False)
    best = result.best
    print(json.dumps({"distance": best.distance() / scale, "vehicles": best.num_routes(),
                      "feasible": bool(best.is_feasible())}))


if __name__ == "__main__":
    main()
