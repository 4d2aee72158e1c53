"""The runtime world's devices: an SOP's command step finds the scenario's devices as the registry
would, reports each command to the engine, and hears each device's answer once."""

from __future__ import annotations

from pathlib import Path

import simpy

from simulation import load_scenario
from simulation.runtime_world import RuntimeWorld
from simulation.sim_clock import SimClock
from sop_engine import Severity

SCENARIO = """\
name: signs
duration: 2h
sops: sops
agencies: [{code: ndrf, kind: disaster_management}]
city:
  grid: {rows: 3, cols: 3}
  stations: [{id: depot, at: [77.59, 12.97], units: {ambulance: 1}}]
devices:
  - {id: vms-far, kind: message_sign, at: [77.60, 12.97]}      # 1.08 km east of the flood
  - {id: vms-near, kind: message_sign, at: [77.59, 12.972]}    # 220 m north
  - {id: vms-away, kind: message_sign, at: [77.65, 12.97]}     # 6.5 km: too far
  - {id: pump-7, kind: pump, at: [77.70, 12.90]}
"""

SOP = """\
id: signs
version: 1
title: Signs and a pump
trigger: {incident_types: [flood]}
target: 2h
steps:
  - id: warn
    command: {kind: message_sign, within_m: 2000, action: display, payload: {text: "Flooded"}, within: 3m}
  - id: pump
    command: {ids: [pump-7, pump-9], action: start}
  - id: barriers
    command: {kind: barrier, within_m: 2000, action: close}
  - id: clear
    after: [warn, pump]
    task: {role: disaster_management, do: "Clear"}
"""


def world(tmp_path: Path) -> tuple[RuntimeWorld, simpy.Environment, SimClock]:
    (tmp_path / "sops").mkdir()
    (tmp_path / "sops" / "signs.yaml").write_text(SOP, encoding="utf-8")
    (tmp_path / "signs.yaml").write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(tmp_path / "signs.yaml")
    env = simpy.Environment()
    clock = SimClock(env, scenario.start)
    return RuntimeWorld(scenario, clock), env, clock


def test_a_command_goes_to_the_devices_of_its_kind_near_the_incident_nearest_first_or_to_those_named(tmp_path):
    flood_world, _env, _clock = world(tmp_path)
    _key, changes = flood_world.declare(incident_type="flood", severity=Severity.SEVERE, lon=77.59, lat=12.97,
                                        description="test")
    assert [(c.key, c.step_id, c.device_id, c.device_kind) for c in changes.commands] == [
        ("command-1", "warn", "vms-near", "message_sign"),
        ("command-2", "warn", "vms-far", "message_sign"),
        ("command-3", "pump", "pump-7", "pump"),
    ]
    assert changes.tasks == []


def test_a_command_that_finds_no_device_fails_its_step_and_tells_the_duty_officer(tmp_path):
    flood_world, _env, _clock = world(tmp_path)
    flood_world.declare(incident_type="flood", severity=Severity.SEVERE, lon=77.59, lat=12.97, description="test")
    _incidents, _tasks, escalations = flood_world.rows()
    assert [(e.step_id, e.rung, e.target) for e in escalations] == [("barriers", 0, "duty_officer")]


def test_each_answer_reaches_the_run_once_and_the_step_waits_for_every_device(tmp_path):
    flood_world, env, clock = world(tmp_path)
    flood_world.declare(incident_type="flood", severity=Severity.SEVERE, lon=77.59, lat=12.97, description="test")
    env.run(until=40)
    assert flood_world.answer_command("command-1", confirmed=True).tasks == []
    assert flood_world.answer_command("command-1", confirmed=False) is None   # answered already
    assert flood_world.answer_command("command-3", confirmed=True).tasks == []
    env.run(until=75)
    failed = flood_world.answer_command("command-2", confirmed=False, reason="stuck")
    assert [(t.step_id, t.agency_code) for t in failed.tasks] == [("clear", "ndrf")]  # one sign confirmed: done
    _incidents, _tasks, escalations = flood_world.rows()
    assert [(e.step_id, e.target, clock.at_s(e.raised_at)) for e in escalations] == [
        ("barriers", "duty_officer", 0.0), ("warn", "duty_officer", 75.0)]
    rows = sorted(flood_world.command_rows(), key=lambda row: row.device_id)
    assert [(r.device_id, r.step_id, r.action, r.status, clock.at_s(r.sent_at), clock.at_s(r.due_at),
             clock.at_s(r.answered_at)) for r in rows] == [
        ("pump-7", "pump", "start", "confirmed", 0.0, 300.0, 40.0),
        ("vms-far", "warn", "display", "failed", 0.0, 180.0, 75.0),
        ("vms-near", "warn", "display", "confirmed", 0.0, 180.0, 40.0),
    ]
    assert all(row.is_exercise for row in rows)


def test_a_silent_device_lets_the_deadline_climb_the_ladder_and_a_late_answer_still_counts(tmp_path):
    flood_world, env, clock = world(tmp_path)
    flood_world.declare(incident_type="flood", severity=Severity.SEVERE, lon=77.59, lat=12.97, description="test")
    flood_world.answer_command("command-1", confirmed=True)
    flood_world.answer_command("command-3", confirmed=True)
    env.run(until=180)
    fired, _changes = flood_world.fire_due_timers()
    assert fired == 1
    _incidents, _tasks, escalations = flood_world.rows()
    assert [(e.step_id, e.target, clock.at_s(e.raised_at)) for e in escalations][-1] == ("warn", "duty_officer", 180.0)
    env.run(until=200)
    late = flood_world.answer_command("command-2", confirmed=True)
    assert [t.step_id for t in late.tasks] == ["clear"]
