"""Benchmark: replay the San Francisco Fire Department calls through a drill and set the
simulated received-to-on-scene times beside the logged ones (percentiles and a plot).

    .venv/bin/python bench/drill_sf_replay.py [--hours 336] [--world runtime] [--plot /tmp/sf-replay.png]
        [--speed-factor 1] [--turnout 0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulation import Drill
from simulation.report import write_replay_plot
from simulation.trace import compare_replay, read_sf_calls, replay_scenario

LOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "incidents" / "sf_fire_calls_2020-04-07_to_04-20.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=336, help="hours of the log to replay (14 days = 336)")
    parser.add_argument("--world", choices=["runtime", "services"], default="runtime")
    parser.add_argument("--plot", type=Path, default=Path("/tmp/sf-replay.png"))
    parser.add_argument("--speed-factor", type=float, default=1.0, help="driving time over free-flow time")
    parser.add_argument("--turnout", type=float, default=0.0, help="seconds from dispatch until a unit rolls")
    args = parser.parse_args()
    calls, units = read_sf_calls(LOG)
    scenario, arrivals = replay_scenario(calls, units, hours=args.hours, engine=args.world,
                                         speed_factor=args.speed_factor, turnout_s=args.turnout)
    started = time.perf_counter()
    records = Drill(scenario=scenario, replication=0, rng=np.random.default_rng(0), arrivals=arrivals).run()
    wall_s = time.perf_counter() - started
    comparison = compare_replay(calls, records)
    table = comparison.percentiles()
    print(f"{len(arrivals)} calls replayed, {sum(sum(s.units.values()) for s in scenario.city.stations)} units at "
          f"{len(scenario.city.stations)} stations, {args.hours:g} h in {wall_s:.1f} s; "
          f"speed factor {args.speed_factor:g}, turnout {args.turnout:g} s")
    print("received to first unit on scene (s)   p50      p90      p95")
    for name, values in table.items():
        print(f"{name:36s} {values[0]:7.0f}  {values[1]:7.0f}  {values[2]:7.0f}")
    write_replay_plot(args.plot, simulated_s=comparison.simulated_s, logged_s=comparison.logged_s)
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
