"""One SOP host, two ports: the same scripted scenarios through the store and through memory.

The services world drives runs through the production services, whose port is the database
(`coordination.run_commands.StoreRunPort`); the runtime world through `MemoryRunPort`. Both run
`sop_engine.host`. Each scenario below is played against both, and every call's changes and
the final records must be what the scenario expects, identically in both.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import pytest
import simpy

from coordination.run_commands import StoreRunPort
from simulation import load_scenario
from simulation.memory_run_port import MemoryRunPort
from simulation.runtime_world import RuntimeWorld
from simulation.services_world import ServicesWorld
from simulation.sim_clock import SimClock
from simulation.world_protocol import Changes
from sop_engine import MAX_CASCADE_DEPTH, RunPort, Severity

PORTS = {"store": ServicesWorld, "memory": RuntimeWorld}

SCENARIO = """\
name: host-contract
seed: 1
duration: 4h
sops: sops
agencies:
  - {code: ndrf, kind: disaster_management}
  - {code: police, kind: police}
  - {code: ems, kind: health}
  - {code: bbmp, kind: municipal}
city:
  grid: {rows: 4, cols: 4, seed: 1}
  stations: [{id: depot, at: [77.59, 12.97], units: {ambulance: 1}}]
incidents: []
devices:
  - {id: vms-near, kind: message_sign, at: [77.59, 12.971]}
  - {id: vms-far, kind: message_sign, at: [77.60, 12.97]}
  - {id: vms-away, kind: message_sign, at: [77.70, 12.97]}
  - {id: pump-7, kind: drainage_pump, at: [77.62, 12.95]}
"""

FLOOD = """\
id: contract-flood
version: 1
title: Flood, every kind of step
trigger: {incident_types: [flood]}
target: 12h
steps:
  - id: assess
    task: {role: disaster_management, do: "Assess"}
    ack_within: 5m
    complete_within: 30m
    escalate:
      - {to: agency_supervisor, within: 5m}
      - {to: duty_officer, within: 10m}
  - id: brief
    after: [assess]
    notify: {to: [police, water], message: "Flood response under way"}
  - id: decide
    after: [assess]
    decision: {question: "Evacuate?", options: [evacuate, shelter], within: 15m}
    escalate:
      - {to: duty_officer, within: 10m}
  - id: boats
    after: [decide == evacuate]
    dispatch: {rescue_boat: 1, ambulance: 2}
    ack_within: 5m
    complete_within: 30m
  - id: warn
    after: [decide]
    notify: {to: public, message: "Avoid the underpasses", within: 10m}
  - id: settle
    after: [warn]
    wait: 10m
"""

GAS_LEAK = """\
id: contract-unrouted
version: 1
title: A step no agency covers, and a decision nobody takes
trigger: {incident_types: [gas_leak]}
target: 2h
steps:
  - id: forest_check
    task: {role: forest, do: "Check the trees"}
  - id: shut_off
    decision: {question: "Shut the main?", options: [shut, keep], within: 10m}
    escalate:
      - {to: duty_officer, within: 5m}
      - {to: district_authority, within: 5m}
"""

CHEMICAL = """\
id: contract-devices
version: 1
title: Signs near the spill and a named pump
trigger: {incident_types: [chemical_accident]}
target: 2h
steps:
  - id: warn
    command: {kind: message_sign, within_m: 2000, action: display, payload: {text: "Road closed"}, within: 3m}
  - id: pump
    command: {ids: [pump-7, pump-9], action: start, within: 5m}
  - id: clear
    after: [warn, pump]
    task: {role: disaster_management, do: "Clear the spill"}
"""

TREE_FALL = """\
id: contract-cascade
version: 1
title: Each tree fall opens another
trigger: {incident_types: [tree_fall]}
target: 1h
steps:
  - id: again
    spawn: {incident_type: tree_fall, severity: minor}
  - id: clear
    task: {role: municipal, do: "Clear the road"}
    ack_within: 5m
    complete_within: 20m
"""


@pytest.mark.parametrize("port", [StoreRunPort, MemoryRunPort])
def test_the_store_and_the_memory_implement_every_method_of_the_port(port):
    assert issubclass(port, RunPort)
    methods = {name for name in vars(RunPort) if not name.startswith("_")}
    assert methods <= set(vars(port)), methods - set(vars(port))


class Player:
    """Plays a script against one world, naming every incident, task and request by its order of
    appearance (the store's keys are UUIDs, the memory's counters)."""

    def __init__(self, world_class, tmp_path: Path):
        (tmp_path / "sops").mkdir()
        (tmp_path / "sops" / "flood.yaml").write_text(FLOOD, encoding="utf-8")
        (tmp_path / "sops" / "tree-fall.yaml").write_text(TREE_FALL, encoding="utf-8")
        (tmp_path / "sops" / "gas-leak.yaml").write_text(GAS_LEAK, encoding="utf-8")
        (tmp_path / "sops" / "chemical.yaml").write_text(CHEMICAL, encoding="utf-8")
        (tmp_path / "contract.yaml").write_text(SCENARIO, encoding="utf-8")
        scenario = load_scenario(tmp_path / "contract.yaml")
        self.env = simpy.Environment()
        self.clock = SimClock(self.env, scenario.start)
        self.world = world_class(scenario, self.clock)
        self.names: dict[Hashable, str] = {}
        self.keys: dict[str, Hashable] = {}
        self.transcript: list[tuple] = []

    def name(self, key: Hashable, kind: str) -> str:
        if key not in self.names:
            name = f"{kind}{sum(n.startswith(kind) for n in self.names.values()) + 1}"
            self.names[key], self.keys[name] = name, key
        return self.names[key]

    def at(self, minutes: float) -> None:
        self.env.run(until=minutes * 60)

    def heard(self, what: str, changes: Changes | None) -> None:
        if changes is None:
            self.transcript.append((self.env.now, what, None))
            return
        self.transcript.append((
            self.env.now, what,
            [(self.name(i.key, "incident"), i.incident_type, i.severity.value, self.names[i.parent_key],
              i.spawned_by_step) for i in changes.incidents],
            [(self.name(t.key, "task"), self.names[t.incident_key], t.step_id, t.role.value, t.agency_code,
              t.dispatch_needs) for t in changes.tasks],
            [(self.name(r.key, "request"), self.names[r.incident_key], r.step_id, r.is_decision, r.options)
             for r in changes.requests],
            self.clock.at_s(changes.next_due) if changes.next_due else None,
            [(self.name(c.key, "command"), self.names[c.incident_key], c.step_id, c.device_id, c.device_kind)
             for c in changes.commands],
        ))

    def declare(self, incident_type: str, severity: Severity) -> str:
        key, changes = self.world.declare(incident_type=incident_type, severity=severity, lon=77.59, lat=12.97,
                                          description="contract")
        name = self.name(key, "incident")
        self.heard(f"declare {name}", changes)
        return name

    def acknowledge(self, task: str) -> None:
        self.heard(f"acknowledge {task}", self.world.answer_task(self.keys[task], complete=False))

    def complete(self, task: str) -> None:
        self.heard(f"complete {task}", self.world.answer_task(self.keys[task], complete=True))

    def answer(self, request: str, choice: str) -> None:
        self.heard(f"answer {request} {choice}", self.world.answer_request(self.keys[request], choice=choice))

    def device_answers(self, command: str, confirmed: bool) -> None:
        self.heard(f"{command} {'confirmed' if confirmed else 'failed'}",
                   self.world.answer_command(self.keys[command], confirmed=confirmed, reason="" if confirmed else "stuck"))

    def fire(self) -> None:
        fired, changes = self.world.fire_due_timers()
        self.heard(f"fire {fired}", changes)

    def records(self) -> tuple[list, list, list]:
        incidents, tasks, escalations = self.world.rows()
        seconds = lambda moment: self.clock.at_s(moment) if moment is not None else None  # noqa: E731
        return (
            sorted((self.names[i.key], i.sop, i.status, seconds(i.resolved_at)) for i in incidents),
            sorted((self.names[t.incident_key], t.step_id, t.role, t.agency_code, seconds(t.created_at),
                    seconds(t.ack_due_at), seconds(t.acknowledged_at), seconds(t.completed_at), t.status)
                   for t in tasks),
            sorted((self.names[e.incident_key], e.step_id, e.rung, e.target, seconds(e.raised_at))
                   for e in escalations),
        )


def play_flood(player: Player) -> None:
    """A flood: its assessment acknowledged late (one rung climbed), evacuation chosen, boats asked
    of their owners by task (no units are registered), the public warning approved, then a wait."""
    player.declare("flood", Severity.SEVERE)
    player.at(6)
    player.fire()
    player.acknowledge("task1")
    player.at(8)
    player.complete("task1")
    player.at(9)
    player.answer("request1", "evacuate")
    player.at(10)
    player.acknowledge("task2")
    player.acknowledge("task3")
    player.complete("task2")
    player.complete("task3")
    player.at(11)
    player.answer("request2", "approve")
    player.at(25)
    player.fire()
    player.at(240)
    player.fire()


def play_cascade(player: Player) -> None:
    """A tree fall whose SOP opens another, and so on: the host stops the cascade at its depth limit."""
    player.declare("tree_fall", Severity.MINOR)
    for task in ("task1", "task2", "task3", "task4"):
        player.complete(task)
    player.at(240)
    player.fire()


def play_unrouted(player: Player) -> None:
    """A gas leak: a task no agency covers, and a decision left unanswered past its deadline and ladder."""
    player.declare("gas_leak", Severity.MODERATE)
    for minutes in (10, 15, 20, 60):
        player.at(minutes)
        player.fire()
    player.answer("request1", "shut")


def play_devices(player: Player) -> None:
    """A chemical accident: two signs near it (the third too far), one named pump of two registered;
    a sign confirms, the other fails, the pump is silent past its deadline then confirms late."""
    player.declare("chemical_accident", Severity.SEVERE)
    player.at(1)
    player.device_answers("command1", True)
    player.device_answers("command1", False)
    player.at(2)
    player.device_answers("command2", False)
    player.at(5)
    player.fire()
    player.at(6)
    player.device_answers("command3", True)


SCENARIOS = {"flood": play_flood, "cascade": play_cascade, "unrouted": play_unrouted, "devices": play_devices}


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> dict[str, dict[str, Player]]:
    """Every scenario played once against each port (a services world takes a second to build)."""
    results: dict[str, dict[str, Player]] = {}
    for scenario_name, play in SCENARIOS.items():
        for port_name, world_class in PORTS.items():
            player = Player(world_class, tmp_path_factory.mktemp(f"{scenario_name}-{port_name}"))
            try:
                play(player)
                player.final = player.records()
                player.commands = sorted((player.names[c.incident_key], c.step_id, c.device_id, c.status,
                                          player.clock.at_s(c.sent_at), player.clock.at_s(c.due_at),
                                          player.clock.at_s(c.answered_at) if c.answered_at else None)
                                         for c in player.world.command_rows())
            finally:
                player.world.close()
            results.setdefault(scenario_name, {})[port_name] = player
    return results


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_both_ports_give_the_same_changes_and_records(played, scenario):
    store, memory = played[scenario]["store"], played[scenario]["memory"]
    assert store.transcript == memory.transcript
    assert store.final == memory.final
    assert store.commands == memory.commands


@pytest.mark.parametrize("port", sorted(PORTS))
def test_a_command_step_reaches_the_devices_near_and_named_and_hears_each_answer_once(played, port):
    player = played["devices"][port]
    declared = player.transcript[0]
    assert declared[6] == [("command1", "incident1", "warn", "vms-near", "message_sign"),
                           ("command2", "incident1", "warn", "vms-far", "message_sign"),
                           ("command3", "incident1", "pump", "pump-7", "drainage_pump")]
    assert [entry[1] for entry in player.transcript if entry[2] is None] == ["command1 failed"]  # answered already
    assert player.commands == [
        ("incident1", "pump", "pump-7", "confirmed", 0.0, 300.0, 360.0),
        ("incident1", "warn", "vms-far", "failed", 0.0, 180.0, 120.0),
        ("incident1", "warn", "vms-near", "confirmed", 0.0, 180.0, 60.0),
    ]
    _incidents, tasks, escalations = player.final
    assert escalations == [("incident1", "pump", 0, "duty_officer", 300.0),
                           ("incident1", "warn", 0, "duty_officer", 120.0)]
    assert [(t[1], t[4], t[8]) for t in tasks] == [("clear", 360.0, "queued")]  # after the late pump


@pytest.mark.parametrize("port", sorted(PORTS))
def test_a_flood_runs_every_kind_of_step(played, port):
    player = played["flood"][port]
    incidents, tasks, escalations = player.final
    assert incidents == [("incident1", "contract-flood@v1", "resolved", 25 * 60.0)]
    assert [(t[1], t[2], t[3], t[8]) for t in tasks] == [
        ("assess", "disaster_management", "ndrf", "completed"),
        ("boats", "disaster_management", "ndrf", "completed"),
        ("boats", "health", "ems", "completed"),
    ]
    # The acknowledgement came after its deadline was found missed (at 6 min): one rung climbed.
    assert escalations == [("incident1", "assess", 0, "agency_supervisor", 360.0)]
    declared = player.transcript[0]
    assert declared[3] == [("task1", "incident1", "assess", "disaster_management", "ndrf", None)]
    evacuate = next(entry for entry in player.transcript if entry[1] == "answer request1 evacuate")
    assert [task[2:] for task in evacuate[3]] == [
        ("boats", "disaster_management", "ndrf", (("rescue_boat", 1),)),
        ("boats", "health", "ems", (("ambulance", 2),)),
    ]
    assert [request[2:] for request in evacuate[4]] == [("warn", False, ("approve", "withhold"))]


@pytest.mark.parametrize("port", sorted(PORTS))
def test_a_cascade_stops_at_the_depth_limit(played, port):
    player = played["cascade"][port]
    incidents, tasks, _ = player.final
    declared = player.transcript[0]
    assert [(name, parent) for name, _type, _severity, parent, _step in declared[2]] == [
        (f"incident{n + 1}", f"incident{n}") for n in range(1, MAX_CASCADE_DEPTH + 1)
    ]
    assert [status for _name, _sop, status, _at in incidents] == ["resolved"] * (MAX_CASCADE_DEPTH + 1)
    assert len(tasks) == MAX_CASCADE_DEPTH + 1


@pytest.mark.parametrize("port", sorted(PORTS))
def test_a_step_no_agency_covers_fails_and_an_unanswered_decision_climbs_its_ladder(played, port):
    player = played["unrouted"][port]
    incidents, tasks, escalations = player.final
    assert tasks == []
    assert escalations == [
        ("incident1", "forest_check", 0, "duty_officer", 0.0),
        ("incident1", "shut_off", 0, "duty_officer", 600.0),
        ("incident1", "shut_off", 1, "district_authority", 900.0),
    ]
    # The step that failed leaves the run incomplete, so the incident stays open for the duty officer.
    assert incidents == [("incident1", "contract-unrouted@v1", "open", None)]
