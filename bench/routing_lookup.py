"""Benchmark: routing a task among thousands of jurisdictions (shapely STRtree).

Builds a grid of N square wards and times point lookups, three in four of them outside every ward
(the nearest-agency fallback). Prints the build time and lookups per second.

    .venv/bin/python bench/routing_lookup.py [--wards 10000] [--lookups 20000]
"""

from __future__ import annotations

import argparse
import math
import random
import time
import uuid

from coordination.routing import AgencyArea, JurisdictionIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    args = parser.parse_args()
    side = math.isqrt(args.wards)
    size = 0.2 / side  # a 22 km square city
    areas = []
    for i in range(side):
        for j in range(side):
            west, south = 77.5 + i * size, 12.9 + j * size
            ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size],
                    [west, south]]
            areas.append(AgencyArea.from_geojson(uuid.uuid4(), f"ward-{i}-{j}", {"type": "Polygon",
                                                                                 "coordinates": [ring]}))
    started = time.perf_counter()
    index = JurisdictionIndex(areas)
    built_s = time.perf_counter() - started
    rng = random.Random(7)
    points = [(77.5 + rng.uniform(-0.1, 0.3), 12.9 + rng.uniform(-0.1, 0.3)) for _ in range(args.lookups)]
    started = time.perf_counter()
    fallbacks = sum(index.route(longitude=x, latitude=y).basis.value == "nearest" for x, y in points)
    lookup_s = time.perf_counter() - started
    print(f"{len(areas)} jurisdictions indexed in {built_s * 1000:.0f} ms")
    print(f"{args.lookups / lookup_s:,.0f} lookups/s ({lookup_s / args.lookups * 1e6:.0f} µs each; "
          f"{fallbacks} fell back to the nearest)")


if __name__ == "__main__":
    main()
