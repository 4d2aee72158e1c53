"""Benchmark: a 24-hour drill of a city of about a million people, timed against real time.

About 3,000 incidents (road accidents, fires, gas leaks, floods and the types no shipped SOP
covers), 300 units at 30 stations on a 100 x 100 street grid (15 km across), the optimised
dispatch policy, the shipped SOPs. Prints wall time and the speed-up over real time (aim: at
least 3,000 times) of the runtime world (the default engine) for 24 hours, then of the services
world (the production services over in-memory SQLite, far slower) for the first 3 hours.

    .venv/bin/python bench/drill_city.py [--world both|runtime|services] [--policy optimised|greedy]
        [--hours 24] [--services-hours 3] [--report /tmp/city-report]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulation import Scenario, replication_kpis, run_replication, summarise, write_report
from simulation.city import build_city

PROFILE = [0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2, 1.4, 1.3, 1.2, 1.2,
           1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2, 1.0, 0.8, 0.6]


def city_scenario(*, hours: float, policy: str, world: str) -> Scenario:
    stations = []
    for i in range(6):
        for j in range(5):
            lon = 77.5946 + (i - 2.5) * 0.022
            lat = 12.9716 + (j - 2) * 0.025
            stations.append({"id": f"st{i}{j}", "at": [lon, lat],
                             "units": {"ambulance": 4, "fire_engine": 2, "police_patrol": 3, "rescue_tender": 1}})
    hotspots = [{"at": [77.60, 12.98], "radius_m": 1500, "weight": 2}, {"at": [77.57, 12.95], "radius_m": 1000}]
    generators = [
        ("road_accident", 60, {"moderate": 0.7, "severe": 0.3}, {"ambulance": 1, "police_patrol": 1}, 1500),
        ("building_fire", 18, {"moderate": 0.5, "severe": 0.5}, {"fire_engine": 2, "ambulance": 1}, 3600),
        ("gas_leak", 12, {"moderate": 0.8, "severe": 0.2}, {"fire_engine": 1}, 2400),
        ("flood", 3, {"moderate": 0.6, "severe": 0.4}, {"rescue_tender": 1}, 5400),
        ("tree_fall", 15, {"minor": 0.7, "moderate": 0.3}, {"police_patrol": 1}, 1800),
        ("power_outage", 10, {"moderate": 1.0}, {}, 1800),
        ("building_collapse", 1, {"severe": 1.0}, {"rescue_tender": 2, "ambulance": 2, "fire_engine": 1}, 7200),
        ("traffic_signal_failure", 6, {"minor": 1.0}, {"police_patrol": 1}, 1800),
    ]
    return Scenario.model_validate({
        "name": "million-city", "seed": 7, "duration": hours * 3600, "engine": world,
        "city": {"grid": {"rows": 100, "cols": 100, "seed": 5}, "stations": stations},
        "dispatch": {"policy": policy},
        "incidents": [{"type": t, "rate_per_hour": rate, "daily_profile": PROFILE, "severity": mix,
                       "hotspots": hotspots, "response": units, "on_scene": {"exponential": scene_s}}
                      for t, rate, mix, units, scene_s in generators],
        "cascades": [{"from": "flood", "to": "power_outage", "probability": 0.3, "after": 600}],
        "behaviour": {"default": {"acknowledge": {"exponential": 120}, "complete": {"exponential": 1500},
                                  "no_answer": 0.03, "webhook_failure": 0.02}},
    })


def run_world(*, world: str, hours: float, policy: str, report: Path | None) -> None:
    scenario = city_scenario(hours=hours, policy=policy, world=world)
    started = time.perf_counter()
    records = run_replication(scenario, 0, np.random.SeedSequence(scenario.seed))
    wall_s = time.perf_counter() - started
    kpis = replication_kpis(records)
    units = sum(sum(s.units.values()) for s in scenario.city.stations)
    print(f"world {world}: {hours:g} h, {len(records.incidents)} incidents "
          f"({sum(1 for i in records.incidents if i.sop)} under an SOP), {len(records.tasks)} tasks, "
          f"{len(records.escalations)} escalations, {len(records.dispatches)} dispatches, {units} units, "
          f"policy {policy} ({records.counters['dispatch_plans_solved']} plans solved)")
    print(f"  mean response {kpis.get('response_s.mean | all', float('nan')):.0f} s, "
          f"p90 {kpis.get('response_s.p90 | all', float('nan')):.0f} s, utilisation {kpis['utilisation | all']:.2f}, "
          f"unserved units at the end {kpis['unserved_units | all']:.0f}")
    print(f"  {hours:g} simulated hours in {wall_s:.1f} s wall: {hours * 3600 / wall_s:,.0f} x real time, "
          f"{len(records.incidents) / wall_s:,.1f} incidents per wall second")
    if report:
        city = build_city(scenario)
        write_report(folder=report, scenario=scenario, records=[records],
                     summaries=summarise([kpis]), stations=[(s.station_id, s.lon, s.lat) for s in city.stations])
        print(f"  report: {report / 'index.html'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", choices=["both", "runtime", "services"], default="both")
    parser.add_argument("--policy", choices=["optimised", "greedy"], default="optimised")
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--services-hours", type=float, default=3,
                        help="simulated hours for the services world when both run (it is far slower)")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    if args.world in ("both", "runtime"):
        run_world(world="runtime", hours=args.hours, policy=args.policy, report=args.report)
    if args.world in ("both", "services"):
        run_world(world="services", hours=args.services_hours if args.world == "both" else args.hours,
                  policy=args.policy, report=None if args.world == "both" else args.report)


if __name__ == "__main__":
    main()
