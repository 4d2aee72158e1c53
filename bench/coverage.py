"""Benchmark: live coverage for 300 units on the dispatch scale network, beside one multi-source Dijkstra.

The network is bench/dispatch_scale.py's generated city of about 100,000 nodes. The engine arm is
what the map asks for every time a unit moves: snap 300 unit positions to the network, one
multi-source Dijkstra from them limited to the time asked (8 minutes), the 250 m squares where
most junctions are later than that, and the uncovered squares as GeoJSON. The baseline is one
bare scipy multi-source Dijkstra (no limit, no snapping, no squares) from the same 300 nodes on
the same graph. Prints the median of each over alternating rounds and their ratio (aim <= 2).

    .venv/bin/python bench/coverage.py [--rows 317] [--units 300] [--minutes 8] [--repeats 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import msgspec
import numpy as np
from scipy.sparse.csgraph import dijkstra

from coordination.dispatch_service.coverage_map import LiveCoverage
from coordination.planner import TravelTimes
from coordination.planner.coverage_areas import CoverageGrid, coverage_of

from dispatch_scenarios import make_city


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=317, help="grid is rows x rows nodes")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--minutes", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    start = time.perf_counter()
    city = make_city(rows=args.rows, cols=args.rows, seed=args.seed)
    travel = TravelTimes(network=city)
    print(f"network: {city.node_count} nodes, {city.edge_count} arcs, built in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    grid = CoverageGrid.over(lon=travel.lon, lat=travel.lat)
    forward = travel._forward  # built once per network, like the grid; not part of either arm
    print(f"coverage squares: {len(grid.cells)}, grid and forward graph built once in {time.perf_counter() - start:.2f} s")
    within_s = args.minutes * 60

    def unit_positions() -> list[tuple[float, float]]:
        """Fresh positions each round (units move), so no answer is reused from the last round."""
        picks = rng.sample(range(city.node_count), args.units)
        return [(float(travel.lon[i]) + 1e-5, float(travel.lat[i]) - 1e-5) for i in picks]

    def engine(points) -> int:
        nodes = travel.nearest_nodes(points=points)
        times = travel.travel_s_from_nearest(origins=nodes, limit_s=within_s)
        live = LiveCoverage(need="als_ambulance", free_units=len(nodes),
                            coverage=coverage_of(grid=grid, travel_s=times, within_s=within_s), grid=grid)
        return len(msgspec.json.encode(live.feature_collection()))

    def baseline(points) -> None:
        indices = np.unique(travel.indices(nodes=travel.nearest_nodes(points=points)))
        start = time.perf_counter()
        dijkstra(forward, directed=True, indices=indices, min_only=True)
        return time.perf_counter() - start

    engine(unit_positions())  # warm-up
    engine_s, bare_s = [], []
    size = 0
    for _ in range(args.repeats):
        points = unit_positions()
        bare_s.append(baseline(points))
        points = unit_positions()
        start = time.perf_counter()
        size = engine(points)
        engine_s.append(time.perf_counter() - start)
    engine_median, bare_median = statistics.median(engine_s), statistics.median(bare_s)
    print(f"coverage of {args.units} units within {args.minutes} min: {1000 * engine_median:.1f} ms "
          f"(GeoJSON {size / 1024:.0f} kB)")
    print(f"one multi-source Dijkstra (scipy, no limit):  {1000 * bare_median:.1f} ms")
    print(f"ratio: {engine_median / bare_median:.2f} (aim <= 2)")


if __name__ == "__main__":
    main()
