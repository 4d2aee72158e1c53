"""The drill engine: the production services in simulated time, reproducible, always an exercise."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from simulation import DrillRecords, InlineExecutor, load_scenario, run_drill, run_replication
from simulation.distributions import fixed
from simulation.scenario import AgencySpec
from simulation.services_world import agency_specs
from sop_engine import AgencyRole
from tests.simulation.conftest import SMALL_CITY


@pytest.fixture(scope="module")
def seed_five(tmp_path_factory) -> DrillRecords:
    """Replication 0 of the small city with seed 5 in the production services, run once for the
    tests that only read its records (frozen dataclasses); each run takes seconds."""
    path = tmp_path_factory.mktemp("small-city") / "city.yaml"
    path.write_text(SMALL_CITY, encoding="utf-8")
    return run_replication(load_scenario(path), 0, np.random.SeedSequence(5))


def test_the_same_seed_gives_identical_records(small_city, seed_five):
    """Two runs of a replication with the same seed produce equal records, field for field."""
    again = run_replication(small_city, 0, np.random.SeedSequence(5))
    assert again == seed_five
    assert len(again.incidents) > 3 and again.tasks and again.dispatches


def test_another_seed_gives_another_drill(small_city, seed_five):
    other = run_replication(small_city, 0, np.random.SeedSequence(6))
    assert seed_five.incidents != other.incidents


def test_replications_in_processes_equal_replications_in_line(small_city):
    """The executor changes where replications run, never what they produce."""
    inline = run_drill(small_city, executor=InlineExecutor())
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = run_drill(small_city, executor=pool)
    assert inline == parallel
    assert [r.replication for r in inline] == [0, 1]


def test_every_drill_record_is_an_exercise(seed_five):
    """Incidents (declared, cascaded and spawned by SOPs), tasks and units all carry the mark; the
    incident flag is read back from the rows the production services wrote."""
    records = seed_five
    for table in records.TABLES:
        rows = records.table(table)
        assert all(row["is_exercise"] is True for row in rows), table
    assert {"generated", "scripted", "cascade"} <= {i.origin for i in records.incidents}


def test_the_production_sops_run_and_agencies_answer(seed_five):
    """The shipped road-accident SOP runs for generated accidents; silent agencies get escalated."""
    records = seed_five
    accidents = [i for i in records.incidents if i.incident_type == "road_accident"]
    assert accidents and all(i.sop.startswith("road-accident@v") for i in accidents)
    assert {t.step for t in records.tasks} >= {"ambulance", "scene_control"}
    assert any(t.status == "completed" for t in records.tasks)
    assert records.escalations


def test_units_drive_real_travel_times_and_response_is_declaration_to_first_arrival(seed_five):
    records = seed_five
    for incident in records.incidents:
        if incident.response_s is not None:
            assert incident.response_s == pytest.approx(incident.first_on_scene_s - incident.declared_s, abs=1e-5)
    travelled = [d for d in records.dispatches if d.on_scene_s is not None and d.on_scene_s > d.dispatched_s]
    assert travelled, "units on a road network take time to arrive"


def test_the_runtime_world_gives_the_same_records_as_the_production_services(small_city, seed_five):
    """The fast world (pure runtime and routing, no database) is held to the services' results:
    the same tasks, deadlines, escalations, dispatches and incident outcomes for the same seed."""
    services = seed_five
    runtime = run_replication(small_city, 0, np.random.SeedSequence(5), world="runtime")
    for table in services.TABLES:
        assert services.table(table) == runtime.table(table), table
    assert services.escalations and services.tasks


def test_turnout_and_congestion_lengthen_every_trip(small_city):
    """A unit rolls `turnout` after dispatch and drives `speed_factor` times the free-flow time."""
    free = run_replication(small_city, 0, np.random.SeedSequence(5), world="runtime")
    city = small_city.city.model_copy(update={"speed_factor": 2.0, "turnout": fixed(60)})
    slow = run_replication(small_city.model_copy(update={"city": city}), 0, np.random.SeedSequence(5),
                           world="runtime")
    first_free, first_slow = free.dispatches[0], slow.dispatches[0]
    assert first_free.incident == first_slow.incident and first_free.unit == first_slow.unit
    drive_s = first_free.on_scene_s - first_free.dispatched_s
    assert first_slow.on_scene_s - first_slow.dispatched_s == pytest.approx(60 + 2 * drive_s)


def _box(south: float, north: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[77.5, south], [77.7, south], [77.7, north], [77.5, north],
                                                [77.5, south]]]}


def test_jurisdictions_route_tasks_by_place_in_both_worlds(small_city):
    """Two police divisions split the city at a latitude; each takes the tasks on its side, the
    same way in the production services and in the runtime world."""
    agencies = [AgencySpec(code=code, kind=kind) for code, _name, kind, _area in agency_specs(small_city)
                if kind is not AgencyRole.POLICE]
    agencies += [AgencySpec(code="police-north", kind=AgencyRole.POLICE, jurisdiction=_box(12.9716, 13.1)),
                 AgencySpec(code="police-south", kind=AgencyRole.POLICE, jurisdiction=_box(12.8, 12.9716))]
    scenario = small_city.model_copy(update={"agencies": agencies})
    services = run_replication(scenario, 0, np.random.SeedSequence(5), world="services")
    runtime = run_replication(scenario, 0, np.random.SeedSequence(5), world="runtime")
    assert services.tasks == runtime.tasks
    latitude = {i.incident: i.lat for i in services.incidents}
    police = [t for t in services.tasks if t.role == "police"]
    assert {t.agency for t in police} == {"police-north", "police-south"}
    for task in police:
        assert task.agency == ("police-north" if latitude[task.incident] > 12.9716 else "police-south")


SIGNS_SCENARIO = """\
name: signs
seed: 4
duration: 1h
sops: sops
agencies: [{code: ndrf, kind: disaster_management}]
city:
  grid: {rows: 3, cols: 3}
  stations: [{id: depot, at: [77.59, 12.97], units: {ambulance: 1}}]
scripted:
  - {at: 5m, type: flood, severity: severe, place: [77.59, 12.97]}
  - {at: 10m, type: flood, severity: severe, place: [77.591, 12.97]}
devices:
  - {id: vms-1, kind: message_sign, at: [77.59, 12.971]}
  - {id: vms-2, kind: message_sign, at: [77.592, 12.969]}
behaviour:
  default: {acknowledge: {fixed: 1m}, complete: {fixed: 5m}}
"""

SIGNS_SOP = """\
id: signs
version: 1
title: Warn drivers, then clear
trigger: {incident_types: [flood]}
target: 2h
steps:
  - id: warn
    command: {kind: message_sign, within_m: 1000, action: display, payload: {text: "Flooded"}, within: 2m}
  - id: clear
    after: [warn]
    task: {role: disaster_management, do: "Clear"}
"""


def signs(tmp_path, devices: str = ""):
    (tmp_path / "sops").mkdir(exist_ok=True)
    (tmp_path / "sops" / "signs.yaml").write_text(SIGNS_SOP, encoding="utf-8")
    (tmp_path / "signs.yaml").write_text(SIGNS_SCENARIO + devices, encoding="utf-8")
    return load_scenario(tmp_path / "signs.yaml")


def test_signs_confirm_after_their_delay_and_the_step_moves_on(tmp_path):
    scenario = signs(tmp_path, "  devices: {default: {confirm: {fixed: 20s}}}\n")
    records = run_replication(scenario, 0, np.random.SeedSequence(1))
    assert [(c.incident, c.device, c.status, c.sent_s, c.confirm_s, c.confirmed_in_time) for c in records.commands] == [
        (1, "vms-1", "confirmed", 300.0, 20.0, True), (1, "vms-2", "confirmed", 300.0, 20.0, True),
        (2, "vms-1", "confirmed", 600.0, 20.0, True), (2, "vms-2", "confirmed", 600.0, 20.0, True)]
    assert [(t.incident, t.step, t.created_s) for t in records.tasks] == [(1, "clear", 320.0), (2, "clear", 620.0)]
    assert records.escalations == ()
    assert {i.status for i in records.incidents} == {"resolved"}


def test_signs_that_fail_or_stay_silent_reach_the_duty_officer(tmp_path):
    failing = run_replication(signs(tmp_path, "  devices: {default: {confirm: {fixed: 20s}, failure: 1}}\n"), 0,
                              np.random.SeedSequence(1))
    assert {c.status for c in failing.commands} == {"failed"} and failing.tasks == ()
    assert [(e.incident, e.step, e.target, e.raised_s) for e in failing.escalations] == [
        (1, "warn", "duty_officer", 320.0), (1, "warn", "duty_officer", 320.0),
        (2, "warn", "duty_officer", 620.0), (2, "warn", "duty_officer", 620.0)]
    silent = run_replication(signs(tmp_path, "  devices: {default: {no_answer: 1}}\n"), 0, np.random.SeedSequence(1))
    assert {(c.status, c.answered_s, c.confirmed_in_time) for c in silent.commands} == {("sent", None, False)}
    assert [(e.incident, e.step, e.raised_s) for e in silent.escalations][:2] == [(1, "warn", 420.0),
                                                                                 (2, "warn", 720.0)]


def test_device_answers_are_drawn_from_the_seed(tmp_path):
    scenario = signs(tmp_path, "  devices: {default: {confirm: {exponential: 40s}, failure: 0.3, no_answer: 0.2}}\n")
    first = run_replication(scenario, 0, np.random.SeedSequence(9))
    assert run_replication(scenario, 0, np.random.SeedSequence(9)) == first
    others = [run_replication(scenario, 0, np.random.SeedSequence(seed)).commands for seed in (10, 11, 12)]
    assert any(commands != first.commands for commands in others)
    assert {c.status for replication in [first.commands, *others] for c in replication} == {
        "confirmed", "failed", "sent"}


def test_both_worlds_command_the_devices_and_hear_their_answers_alike(tmp_path):
    """The services world registers the scenario's devices in the production registry, queues the
    commands through the store's port and feeds each answer through the production use case: the
    same commands, answers, tasks and escalations as the runtime world for the same seed."""
    scenario = signs(tmp_path, "  devices: {default: {confirm: {exponential: 40s}, failure: 0.3, no_answer: 0.2}}\n")
    for seed in (9, 10):
        services = run_replication(scenario, 0, np.random.SeedSequence(seed), world="services")
        runtime = run_replication(scenario, 0, np.random.SeedSequence(seed), world="runtime")
        for table in services.TABLES:
            assert services.table(table) == runtime.table(table), (seed, table)
        assert len(services.commands) == 4
