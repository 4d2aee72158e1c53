"""Runs the M/M/c queue in ciw (benchmark-only peer, its own virtualenv); prints one JSON line.

    /tmp/ciw-bench-venv/bin/python bench/drill_erlang_ciw_runner.py SERVERS ARRIVAL_RATE SERVICE_RATE HORIZON SEED
"""

from __future__ import annotations

import json
import sys
import time

import ciw


def main() -> None:
    servers, arrival_rate, service_rate, horizon, seed = (int(sys.argv[1]), float(sys.argv[2]),
                                                          float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=service_rate)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    started, started_cpu = time.perf_counter(), time.process_time()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon)
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - started_cpu
    waits = [record.waiting_time for record in simulation.get_all_records()]
    print(json.dumps({"customers": len(waits), "mean_wait": sum(waits) / len(waits), "wall_s": wall_s, "cpu_s": cpu_s}))


if __name__ == "__main__":
    main()
