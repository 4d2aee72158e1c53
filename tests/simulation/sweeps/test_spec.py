"""Sweep files are checked like scenarios: every problem as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.sweeps import expand, load_sweep
from sop_engine import SopDefinitionError

EXAMPLE = Path(__file__).resolve().parents[3] / "simulation" / "sweeps" / "examples" / "small-city-ambulances.yaml"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SopDefinitionError) as caught:
        load_sweep(path)
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_example_sweep_is_valid():
    loaded = load_sweep(EXAMPLE)
    assert loaded.base.name == "small-city"
    assert len(expand(loaded)) == 3 * 2 * 2


def test_an_unknown_station_is_named_with_the_line_and_the_stations_there_are(write_sweep):
    path = write_sweep("name: s\nscenario: city.yaml\nvary:\n  fleet:\n"
                       "    - {station: nowhere, unit_type: ambulance, counts: [1, 2]}\n")
    assert problems_of(path) == [f"{path}:5: vary.fleet.0.station: the scenario has no station 'nowhere'; "
                                 "it has east, west"]


def test_shape_errors_carry_their_lines(write_sweep):
    path = write_sweep("name: s\nscenario: city.yaml\nreplications: 4\nmax_replications: 2\nvary:\n"
                       "  fleet:\n    - {station: east, unit_type: hovercraft, counts: [1]}\n"
                       "  dispatch_policy: [fastest]\ntargets:\n  - {kpi: 'response_s.p90 | all'}\n")
    found = problems_of(path)
    assert any(p.startswith(f"{path}:7: vary.fleet.0.unit_type: unknown unit type 'hovercraft'") for p in found)
    assert any(p.startswith(f"{path}:8: vary.dispatch_policy.0:") for p in found)
    assert any(p.startswith(f"{path}:10: targets.0: a target needs at_most, at_least or precision") for p in found)


def test_at_most_fewer_replications_than_at_first_is_refused(write_sweep):
    path = write_sweep("name: s\nscenario: city.yaml\nreplications: 4\nmax_replications: 2\n")
    assert problems_of(path) == [f"{path}:1: max_replications is below replications"]


def test_missing_scenario_sop_folder_and_stream_are_named(write_sweep):
    missing = write_sweep("name: s\nscenario: nowhere.yaml\n")
    assert problems_of(missing) == [f"{missing}:2: scenario: no file 'nowhere.yaml'"]
    path = write_sweep("name: s\nscenario: city.yaml\nvary:\n  sops: [shipped, no-such-folder]\n"
                       "  arrival_rate:\n    - {type: flood, scale: [1, 2]}\n")
    assert problems_of(path) == [
        f"{path}:6: vary.arrival_rate.0.type: the scenario has no 'flood' stream",
        f"{path}:4: vary.sops.1: 'no-such-folder' is neither 'shipped' nor a folder",
    ]


def test_a_problem_in_the_base_scenario_names_the_scenario_file(write_sweep, sweep_folder):
    (sweep_folder / "broken.yaml").write_text("name: b\nduration: 1h\ncity:\n  stations: []\n", encoding="utf-8")
    found = problems_of(write_sweep("name: s\nscenario: broken.yaml\n"))
    assert found and all(p.startswith(f"{sweep_folder / 'broken.yaml'}:") for p in found)


def test_each_variant_is_the_base_scenario_with_its_settings(write_sweep):
    loaded = load_sweep(write_sweep(
        "name: s\nscenario: city.yaml\nvary:\n"
        "  fleet:\n    - {station: west, unit_type: ambulance, counts: [0, 2]}\n"
        "  dispatch_policy: [greedy, optimised]\n"
        "  arrival_rate:\n    - {scale: [2]}\n"
        "  answer_delay:\n    - {role: health, acknowledge: [{exponential: 9m}]}\n"))
    variants = expand(loaded)
    assert [v.label for v in variants][:2] == [
        "fleet west/ambulance=0, dispatch policy=greedy, arrival rate all=x2, acknowledge delay health=exponential 9m",
        "fleet west/ambulance=0, dispatch policy=optimised, arrival rate all=x2, acknowledge delay health=exponential 9m",
    ]
    last = variants[-1].scenario
    assert {s.id: s.units for s in last.city.stations}["west"] == {"ambulance": 2}
    assert last.dispatch.policy == "optimised"
    assert last.incidents[0].rate_per_hour == 10
    assert last.behaviour.roles["health"].acknowledge.exponential == 540
    assert loaded.base.city.stations[1].units == {"ambulance": 1}  # the base is left as it was
