"""Benchmark: replay the San Francisco Fire Department calls through a drill and set the
simulated received-to-on-scene times beside the logged ones (percentiles and a plot).

    .venv/bin/python bench/drill_sf_replay.py [--hours 336] [--world runtime] [--plot /tmp/sf-replay.png]
        [--calibration simulation/scenarios/sf-replay-calibration.yaml | --uncalibrated]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulation import Drill
from simulation.report import write_replay_plot
from simulation.trace import compare_replay, read_calibration, read_sf_calls, replay_scenario

CALIBRATION = Path(__file__).resolve().parents[1] / "simulation" / "scenarios" / "sf-replay-calibration.yaml"
LOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "incidents" / "sf_fire_calls_2020-04-07_to_04-20.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=336, help="hours of the log to replay (14 days = 336)")
    parser.add_argument("--world", choices=["runtime", "services"], default="runtime")
    parser.add_argument("--plot", type=Path, default=Path("/tmp/sf-replay.png"))
    parser.add_argument("--calibration", type=Path, default=CALIBRATION)
    parser.add_argument("--uncalibrated", action="store_true", help="free-flow driving, no turnout")
    args = parser.parse_args()
    calls, units = read_sf_calls(LOG)
    calibration = None if args.uncalibrated else read_calibration(args.calibration)
    scenario, arrivals = replay_scenario(calls, units, hours=args.hours, engine=args.world, calibration=calibration)
    started = time.perf_counter()
    records = Drill(scenario=scenario, replication=0, rng=np.random.default_rng(0), arrivals=arrivals).run()
    wall_s = time.perf_counter() - started
    comparison = compare_replay(calls, records)
    print(f"{len(arrivals)} calls replayed, {sum(sum(s.units.values()) for s in scenario.city.stations)} units at "
          f"{len(scenario.city.stations)} stations, {args.hours:g} h in {wall_s:.1f} s; "
          f"{'uncalibrated' if calibration is None else 'calibrated by ' + str(args.calibration)}")
    table = comparison.percentiles((25, 50, 75, 90, 95))
    print("received to first unit on scene (s)   p25      p50      p75      p90      p95")
    for name, values in table.items():
        print(f"{name:36s} " + "  ".join(f"{v:7.0f}" for v in values))
    print("simulated / logged                   " + "  ".join(
        f"{s / l:7.2f}" for s, l in zip(table["simulated"], table["logged"])))
    write_replay_plot(args.plot, simulated_s=comparison.simulated_s, logged_s=comparison.logged_s)
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
