"""Benchmark: the M/M/c drill (simulation/scenarios/mmc.yaml) against Erlang C, and beside ciw.

The drill engine runs the scenario's SOP, dispatch policy and units; its mean wait (declaration
to first unit on scene) must match the Erlang C formula within 2% on a long run. With
--ciw-python, the same queue runs in ciw (a peer queueing simulator, benchmark-only, in its own
virtualenv) for the same number of calls; both print simulated incidents per wall second.
It also times two floors, each on its own: the scenario's SOP alone in the pure runtime (the
four events each call makes), and the same queue in SimPy at its cheapest (timeouts with
callbacks, no SOP, no city). A drill that runs the SOP per call in SimPy pays both, so
it cannot beat 1 / (1/SOP + 1/SimPy) calls per second, whatever else it does.

    .venv/bin/python bench/drill_erlang.py [--hours 20000] [--replications 8] [--world runtime]
        [--ciw-python /tmp/ciw-bench-venv/bin/python] [--workers 2]

Set up the peer once:  python3 -m venv /tmp/ciw-bench-venv && /tmp/ciw-bench-venv/bin/pip install 'ciw>=3.2,<3.3'
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import numpy as np
import simpy

from simulation import InlineExecutor, load_scenario, mean_wait_s, run_drill, t_interval
from simulation.services_world import sop_files
from sop_engine import (
    IncidentFacts,
    RunStarted,
    Severity,
    TaskAcknowledged,
    TaskCompleted,
    TasksAssigned,
    advance,
    load_sop_text,
    new_run,
)

SCENARIO = Path(__file__).resolve().parents[1] / "simulation" / "scenarios" / "mmc.yaml"
RUNNER = Path(__file__).resolve().parent / "drill_erlang_ciw_runner.py"


def sop_alone_per_second(scenario, calls: int = 20_000) -> float:
    """Calls per CPU second of the scenario's one SOP in the pure runtime, with nothing around it:
    started, its dispatch step given a task, the task acknowledged and completed."""
    (path,) = sop_files(scenario)
    definition = load_sop_text(path.read_text(encoding="utf-8"), source=str(path))
    step_id = definition.steps[0].step_id
    facts = IncidentFacts(scenario.incidents[0].type, Severity.MINOR, {"is_exercise": True})
    started = time.process_time()
    for number in range(calls):
        now = scenario.start + timedelta(seconds=number)
        task_id = f"task-{number}"
        run, _ = advance(new_run(run_id=f"run-{number}", definition=definition, incident=facts), RunStarted(facts), now)
        run, _ = advance(run, TasksAssigned(step_id, (task_id,)), now)
        run, _ = advance(run, TaskAcknowledged(task_id), now)
        run, _ = advance(run, TaskCompleted(task_id), now)
    return calls / (time.process_time() - started)


def bare_simpy_per_second(*, servers: int, arrival_rate: float, service_rate: float, hours: float = 20_000
                          ) -> float:
    """Calls per CPU second of the M/M/c queue in SimPy at its cheapest: timeouts with callbacks
    (as the drill schedules its events; a process per call costs about twice as much), a counter
    of free servers and a deque of waiting calls. Nothing of the drill around it."""
    rng = np.random.default_rng(1)
    env = simpy.Environment()
    free, waiting, served = servers, deque(), 0

    def after(delay_s: float, callback) -> None:
        env.timeout(delay_s).callbacks.append(lambda _event: callback())

    def serve() -> None:
        nonlocal free
        free -= 1
        after(rng.exponential(1 / service_rate), done)

    def done() -> None:
        nonlocal free, served
        served, free = served + 1, free + 1
        if waiting:
            waiting.popleft()
            serve()

    def arrive() -> None:
        if free:
            serve()
        else:
            waiting.append(env.now)
        after(rng.exponential(1 / arrival_rate), arrive)

    after(rng.exponential(1 / arrival_rate), arrive)
    started = time.process_time()
    env.run(until=hours * 3600)
    return served / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=20_000, help="simulated hours per replication")
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--world", choices=["runtime", "services"], default="runtime")
    parser.add_argument("--ciw-python", default="", help="interpreter with ciw installed")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for the drill's replications (1: in line, comparable with ciw's one)")
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO).model_copy(
        update={"duration": args.hours * 3600, "replications": args.replications, "engine": args.world})
    generator = scenario.incidents[0]
    servers = sum(station.units.get("ambulance", 0) for station in scenario.city.stations)
    arrival_rate = generator.rate_per_hour / 3600
    service_rate = 1 / generator.on_scene.mean_s
    theory = mean_wait_s(servers=servers, arrival_rate=arrival_rate, service_rate=service_rate)

    started, started_cpu = time.perf_counter(), time.process_time()
    if args.workers == 1:
        records = run_drill(scenario, executor=InlineExecutor())
    else:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            records = run_drill(scenario, executor=pool)
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - started_cpu if args.workers == 1 else None
    calls = sum(len(r.incidents) for r in records)
    waits = [np.mean([i.response_s for i in r.incidents if i.response_s is not None]) for r in records]
    mean, half = t_interval(waits)
    print(f"M/M/{servers}: lambda {generator.rate_per_hour}/h, mean service {generator.on_scene.mean_s / 60:g} min, "
          f"utilisation {arrival_rate / (servers * service_rate):.2f}")
    print(f"Erlang C mean wait           {theory:9.1f} s")
    print(f"drill ({args.world:8s}) mean wait {mean:9.1f} s ± {half:.1f} (95%), error {mean / theory - 1:+.2%}, "
          f"{calls} calls in {wall_s:.1f} s = {calls / wall_s:,.0f} incidents per wall second"
          + (f", {calls / cpu_s:,.0f} per CPU second" if cpu_s else ""))
    asked = sum(r.counters["dispatch_plans"] for r in records)
    solved = sum(r.counters["dispatch_plans_solved"] for r in records)
    print(f"  each call: its SOP run (4 runtime events), a dispatch plan ({solved} of {asked} plans solved by "
          f"the policy, the rest remembered), a unit trip; ciw: the queue alone")
    sop_alone = sop_alone_per_second(scenario)
    print(f"the SOP alone in the runtime (4 events per call, no queue, no units): {sop_alone:,.0f} calls per CPU second")
    simpy_alone = bare_simpy_per_second(servers=servers, arrival_rate=arrival_rate, service_rate=service_rate)
    floor = 1 / (1 / sop_alone + 1 / simpy_alone)
    print(f"the queue alone in SimPy at its cheapest (no SOP, no units, no records): {simpy_alone:,.0f} calls per CPU second")
    print(f"  so a SimPy drill running this SOP per call does at most {floor:,.0f} calls per second")
    if args.ciw_python:
        ciw_calls, ciw_wall, ciw_cpu, ciw_waits = 0, 0.0, 0.0, []
        for seed in range(args.replications):
            out = subprocess.run([args.ciw_python, str(RUNNER), str(servers), str(arrival_rate), str(service_rate),
                                  str(scenario.duration), str(seed)], capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            ciw_calls += result["customers"]
            ciw_wall += result["wall_s"]
            ciw_cpu += result["cpu_s"]
            ciw_waits.append(result["mean_wait"])
        ciw_mean, ciw_half = t_interval(ciw_waits)
        print(f"ciw mean wait                {ciw_mean:9.1f} s ± {ciw_half:.1f} (95%), error {ciw_mean / theory - 1:+.2%}, "
              f"{ciw_calls} calls in {ciw_wall:.1f} s = {ciw_calls / ciw_wall:,.0f} incidents per wall second, "
              f"{ciw_calls / ciw_cpu:,.0f} per CPU second")
        if cpu_s:
            print(f"speed ratio drill / ciw in CPU time (what another process's load disturbs least): "
                  f"{(calls / cpu_s) / (ciw_calls / ciw_cpu):.2f}; the floor / ciw: {floor / (ciw_calls / ciw_cpu):.2f}; "
                  f"the drill / the floor: {(calls / cpu_s) / floor:.2f}")
        ciw_rate = ciw_calls / ciw_wall
        print(f"speed ratio drill / ciw in wall time: {(calls / wall_s) / ciw_rate:.2f}; the SOP alone / ciw: "
              f"{sop_alone / ciw_rate:.2f}; SimPy at its cheapest / ciw: {simpy_alone / ciw_rate:.2f}; "
              f"the floor of both / ciw: {floor / ciw_rate:.2f} (the most a SimPy drill of this SOP can reach)")


if __name__ == "__main__":
    main()
