"""A scenario's devices and how they answer: what a planner writes, and the file:line messages when it is wrong."""

from __future__ import annotations

import pytest

from simulation import scenario_from_text
from simulation.distributions import Delay
from simulation.scenario_devices import DEFAULT_CONFIRM
from sop_engine import SopDefinitionError

CITY = """\
name: signs
duration: 1h
city:
  grid: {rows: 3, cols: 3}
  stations: [{id: a, at: [77.59, 12.97], units: {ambulance: 1}}]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(SopDefinitionError) as caught:
        scenario_from_text(CITY + text, source="s.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_devices_and_their_behaviour_by_kind_fall_back_to_the_default():
    scenario = scenario_from_text(CITY + """\
devices:
  - {id: vms-1, kind: message_sign, at: [77.59, 12.97]}
  - {id: siren-1, kind: siren, at: [77.60, 12.98]}
behaviour:
  devices:
    default: {confirm: {fixed: 20s}, failure: 0.1}
    kinds: {siren: {no_answer: 0.2}}
""")
    assert [(d.id, d.kind, d.at) for d in scenario.devices] == [("vms-1", "message_sign", (77.59, 12.97)),
                                                                 ("siren-1", "siren", (77.60, 12.98))]
    assert scenario.behaviour.devices.of("siren") == (Delay(fixed=20), 0.1, 0.2)
    assert scenario.behaviour.devices.of("message_sign") == (Delay(fixed=20), 0.1, 0.0)


def test_without_a_device_behaviour_every_command_is_confirmed_in_seconds():
    scenario = scenario_from_text(CITY)
    assert scenario.devices == [] and scenario.readings is None
    assert scenario.behaviour.devices.of("pump") == (DEFAULT_CONFIRM, 0.0, 0.0)


def test_two_devices_with_one_id_are_reported_at_the_second():
    assert problems("""\
devices:
  - {id: vms-1, kind: message_sign, at: [77.59, 12.97]}
  - {id: vms-1, kind: siren, at: [77.59, 12.97]}
""") == ["s.yaml:8: devices: two devices share the id 'vms-1'"]


def test_a_device_belongs_to_one_of_the_scenarios_agencies():
    assert problems("""\
devices:
  - {id: vms-1, kind: message_sign, at: [77.59, 12.97], agency: traffic-police}
  - {id: vms-2, kind: message_sign, at: [77.59, 12.97], agency: traffic-polise}
""") == ["s.yaml:8: devices: vms-2 belongs to 'traffic-polise', which is not one of the scenario's agencies"]


def test_behaviour_for_a_kind_the_city_lacks_is_a_mistake():
    assert problems("""\
devices: [{id: vms-1, kind: message_sign, at: [77.59, 12.97]}]
behaviour:
  devices:
    kinds: {sirne: {failure: 0.5}}
""") == ["s.yaml:9: behaviour.devices.kinds: the city has no sirne device"]


def test_failure_and_silence_cannot_take_more_than_every_command():
    said = problems("""\
devices: [{id: vms-1, kind: message_sign, at: [77.59, 12.97]}]
behaviour:
  devices:
    default: {failure: 0.6}
    kinds: {message_sign: {no_answer: 0.5}}
""")
    assert said == ["s.yaml:9: behaviour.devices: kinds.message_sign: failure (0.6) and no_answer (0.5) add up "
                    "to more than 1"]


def test_a_device_kind_and_place_are_checked():
    said = problems("devices: [{id: vms-1, kind: Message Sign, at: [277.59, 12.97]}]\n")
    assert any(m.startswith("s.yaml:6: ") and "kind" in m for m in said)
    assert any(m.startswith("s.yaml:6: ") and "[longitude, latitude]" in m for m in said)
