"""SOP runtime throughput beside SpiffWorkflow, and declare-to-first-tasks through the service.

1. Runs per second of a 10-step SOP with a parallel split and a join (two of each), started
   and driven to completion in-process with scripted answers (every task assigned, then
   completed), by this engine's pure runtime; and the same process as BPMN (manual tasks,
   parallel gateways) run by SpiffWorkflow, a benchmark-only peer run in its own virtual
   environment (`bench/sop_spiff_runner.py`). Printed as runs/s of each and their ratio (aim:
   at least 50 times SpiffWorkflow).
2. Incidents per second declared through the service on SQLite, each committing its incident,
   SOP run, first tasks, timers, timeline entries and webhook messages in one transaction.

The machine may be shared, so the two engines are measured in alternating rounds (each round
times this engine, then SpiffWorkflow, for `--seconds` each) and the medians are printed, with
the ratio of each round's pair; by default both sides count the CPU time of their own process
(`--clock wall` for elapsed time), which other processes' load disturbs far less.

    python -m venv /tmp/sop-bench-venv && /tmp/sop-bench-venv/bin/pip install 'SpiffWorkflow==3.2.0' lxml
    .venv/bin/python bench/sop_engine_throughput.py --spiff-python /tmp/sop-bench-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coordination import SYSTEM, ManualClock, Store, declare_incident, install_shipped_sops, upgrade  # noqa: E402
from coordination.agencies import AgencyRegistration, register_agency  # noqa: E402
from sop_engine import (  # noqa: E402
    CreateTask,
    FinishRun,
    IncidentFacts,
    RunStarted,
    RunStatus,
    Severity,
    TaskCompleted,
    TasksAssigned,
    advance,
    load_sop_text,
    new_run,
)
from tests.conftest import incident_report  # noqa: E402

HERE = Path(__file__).resolve().parent

TEN_STEPS = """\
id: ten-steps
version: 1
title: Ten steps, two parallel splits and two joins
trigger: {incident_types: [flood]}
target: 24h
steps:
  - {id: t1, task: {role: disaster_management, do: assess}}
  - {id: t2, after: [t1], task: {role: police, do: cordon}}
  - {id: t3, after: [t1], task: {role: electricity, do: isolate}}
  - {id: t4, after: [t1], task: {role: traffic, do: divert}}
  - {id: t5, after: [t2, t3, t4], task: {role: municipal, do: pump}}
  - {id: t6, after: [t5], task: {role: health, do: triage}}
  - {id: t7, after: [t6], task: {role: water, do: supply}}
  - {id: t8, after: [t6], task: {role: fire, do: rescue}}
  - {id: t9, after: [t7, t8], task: {role: electricity, do: restore}}
  - {id: t10, after: [t9], task: {role: district_administration, do: relief}}
"""

T0 = datetime(2026, 7, 1, tzinfo=timezone.utc)
FACTS = IncidentFacts("flood", Severity.SEVERE)


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def drive_one(definition, run_number: int) -> int:
    """Start a run and drive it to completion: every task is assigned, then completed."""
    run = new_run(run_id=f"run-{run_number}", definition=definition, incident=FACTS)
    pending = deque([RunStarted(FACTS)])
    completions = []
    steps_done = 0
    while pending or completions:
        event = pending.popleft() if pending else completions.pop()
        run, commands = advance(run, event, T0)
        for command in commands:
            if isinstance(command, CreateTask):
                task_id = f"{command.step_id}/task"
                pending.append(TasksAssigned(command.step_id, (task_id,)))
                completions.append(TaskCompleted(task_id))
                steps_done += 1
    # Every step was asked of an agency, and the run finished as completed (not stalled,
    # failed or blocked), telling the service so.
    assert run.status is RunStatus.COMPLETED and steps_done == 10 and isinstance(commands[-1], FinishRun)
    return steps_done


def engine_runs_per_second(seconds: float, clock) -> float:
    definition = load_sop_text(TEN_STEPS, source="ten-steps.yaml")
    drive_one(definition, 0)
    runs, started = 0, clock()
    while clock() - started < seconds:
        for _ in range(100):
            drive_one(definition, runs)
            runs += 1
    return runs / (clock() - started)


def spiff_runs_per_second(python: str, seconds: float, clock: str) -> float:
    output = subprocess.run([python, str(HERE / "sop_spiff_runner.py"), "--seconds", str(seconds), "--clock", clock],
                            capture_output=True, text=True, check=True).stdout
    return json.loads(output)["runs_per_second"]


def declarations_per_second(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(store)
        clock = ManualClock(datetime.now(timezone.utc))
        with store.transaction() as session:
            install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
            for code, kind in [("fire-central", "fire"), ("police-central", "police"), ("discom", "electricity")]:
                register_agency(session=session, clock=clock, allowed_hosts=frozenset({"127.0.0.1"}), actor=SYSTEM,
                                registration=AgencyRegistration(code=code, name=code, kind=kind,
                                                                webhook_url=f"http://127.0.0.1:9/{code}"))
        report = incident_report()
        started = time.perf_counter()
        for _ in range(count):
            with store.transaction() as session:
                declare_incident(session=session, clock=clock, report=report, actor=SYSTEM)
        elapsed = time.perf_counter() - started
        store.dispose()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time to spend on each engine in each round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of both engines")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="count each process's CPU time (default) or elapsed wall-clock time")
    parser.add_argument("--spiff-python", help="a Python with SpiffWorkflow installed (see above)")
    parser.add_argument("--declarations", type=int, default=300)
    arguments = parser.parse_args()

    print(f"load average   : {os.getloadavg()[0]:10.2f} on {os.cpu_count()} CPUs; {arguments.rounds} rounds of "
          f"{arguments.seconds:g} s each, {arguments.clock} time")
    engine, spiff = [], []
    for _ in range(arguments.rounds):
        engine.append(engine_runs_per_second(arguments.seconds, CLOCKS[arguments.clock]))
        if arguments.spiff_python:
            spiff.append(spiff_runs_per_second(arguments.spiff_python, arguments.seconds, arguments.clock))
    print(f"this engine    : {statistics.median(engine):10.0f} runs/s of the 10-step SOP (split + join, twice); "
          f"rounds {min(engine):.0f}-{max(engine):.0f}")
    if spiff:
        ratios = [ours / theirs for ours, theirs in zip(engine, spiff)]
        print(f"SpiffWorkflow  : {statistics.median(spiff):10.0f} runs/s of the same process in BPMN; "
              f"rounds {min(spiff):.0f}-{max(spiff):.0f}")
        print(f"ratio          : {statistics.median(ratios):10.1f} x SpiffWorkflow (median of the rounds' ratios, "
              f"{min(ratios):.1f}-{max(ratios):.1f}; aim: >= 50)")
    else:
        print("SpiffWorkflow  : skipped (give --spiff-python)")
    print(f"load average   : {os.getloadavg()[0]:10.2f} at the end")
    declared = declarations_per_second(arguments.declarations)
    print(f"service, SQLite: {declared:10.1f} incidents/s declared with their first tasks committed "
          "(incident, run, 3 tasks, 6 timers, timeline, 3 webhooks per transaction)")


if __name__ == "__main__":
    main()
