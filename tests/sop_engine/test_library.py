"""The shipped SOP library: what it covers, and exactly what each SOP does (its golden trace).

Each shipped SOP `<id>` has a dry-run script `golden/<id>.script.yaml` (how the agencies and the
duty officer answer) and the trace it must produce, `golden/<id>.trace`. The dry run saves the
run to JSON and restores it between every two events, as a service restart would, so a golden
trace also shows that no deadline, escalation or notice is lost or repeated across restarts.

To accept a deliberate change, run with `ICCC_UPDATE_GOLDEN=1`: the test rewrites the trace and
fails, saying so; read the new trace, commit it, and run again without the variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from sop_engine import (
    AgencyRole,
    DispatchAction,
    INCIDENT_TYPES,
    NotifyAction,
    Severity,
    SpawnAction,
    TaskAction,
    UNIT_TYPES,
    load_sop_text,
    matching_sop,
    replay,
    run_to_json,
    shipped_sop_texts,
    shipped_sops,
)
from sop_engine.dry_run import dry_run, read_script, save_and_restore

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("ICCC_UPDATE_GOLDEN") == "1"

LIBRARY = shipped_sops()
SOP_IDS = sorted(definition.ref.sop_id for definition in LIBRARY)
BY_ID = {definition.ref.sop_id: definition for definition in LIBRARY}


def roles_addressed(definition) -> set[AgencyRole]:
    """Every agency role an SOP gives work or notice to (dispatch: the units' owners)."""
    roles: set[AgencyRole] = set()
    for step in definition.steps:
        action = step.action
        if isinstance(action, TaskAction):
            roles.add(action.role)
        elif isinstance(action, NotifyAction):
            roles.update(action.roles)
        elif isinstance(action, DispatchAction):
            roles.update(UNIT_TYPES[unit] for unit, _count in action.units)
    return roles


def golden_run(sop_id: str, *, restart_between_events: bool = True):
    definition = BY_ID[sop_id]
    script_path = GOLDEN / f"{sop_id}.script.yaml"
    script = read_script(script_path.read_text(encoding="utf-8"), source=str(script_path))
    checkpoint = save_and_restore(definition) if restart_between_events else None
    return definition, script, dry_run(definition, script, checkpoint=checkpoint)


# what the library covers


@pytest.mark.parametrize("name", sorted(shipped_sop_texts()))
def test_every_shipped_sop_validates_and_is_named_by_its_id(name):
    definition = load_sop_text(shipped_sop_texts()[name], source=f"sop_engine/library/{name}")
    assert name == f"{definition.ref.sop_id}.yaml"


def test_the_library_ships_at_least_fifteen_sops():
    assert len(LIBRARY) >= 15


def test_the_library_addresses_at_least_ten_agency_roles():
    roles = set().union(*(roles_addressed(definition) for definition in LIBRARY))
    assert len(roles) >= 10, sorted(role.value for role in roles)


@pytest.mark.parametrize("incident_type", sorted(INCIDENT_TYPES))
def test_every_incident_type_starts_an_sop_at_its_gravest(incident_type):
    assert matching_sop(LIBRARY, incident_type=incident_type, severity=Severity.EXTREME) is not None


def test_a_graver_incident_starts_the_more_specific_sop():
    def chosen(severity):
        return matching_sop(LIBRARY, incident_type="building_fire", severity=severity).ref.sop_id

    assert (chosen(Severity.SEVERE), chosen(Severity.EXTREME)) == ("building-fire", "building-fire-major")


FIRST_TASKS_THE_SERVICE_RELIES_ON = {
    "building-fire": {("fire_response", "fire"), ("cordon", "police"), ("isolate_supply", "electricity")},
    "gas-leak": {("shut_valve", "gas"), ("evacuate", "police"), ("standby", "fire")},
    "urban-flood": {("assess", "disaster_management")},
    "road-accident": {("ambulance", "health"), ("scene_control", "police")},
}


@pytest.mark.parametrize("sop_id", sorted(FIRST_TASKS_THE_SERVICE_RELIES_ON))
def test_the_first_tasks_of_the_original_sops_stay_as_the_service_expects(sop_id):
    first_tasks = {
        (step.step_id, step.action.role.value)
        for step in BY_ID[sop_id].steps
        if isinstance(step.action, TaskAction) and not step.after
    }
    assert first_tasks == FIRST_TASKS_THE_SERVICE_RELIES_ON[sop_id]


def test_linked_incidents_never_start_each_other_in_a_loop():
    """A spawn starts the SOP of its incident type; following spawns must always end somewhere."""
    spawns = nx.DiGraph()
    for definition in LIBRARY:
        for step in definition.steps:
            if isinstance(step.action, SpawnAction):
                for incident_type in definition.trigger.incident_types:
                    spawns.add_edge(incident_type, step.action.incident_type, sop=definition.ref.sop_id)
    assert nx.is_directed_acyclic_graph(spawns), nx.find_cycle(spawns)


def test_every_linked_incident_starts_an_sop_of_its_own():
    """A spawned incident, at its own severity, is never left to the duty officer by hand."""
    for definition in LIBRARY:
        for step in definition.steps:
            if not isinstance(step.action, SpawnAction):
                continue
            for severity in definition.trigger.severities():
                spawned_severity = step.action.severity or severity
                started = matching_sop(LIBRARY, incident_type=step.action.incident_type, severity=spawned_severity)
                assert started is not None, (
                    f"{definition.ref} step {step.step_id}: a {spawned_severity.value} "
                    f"{step.action.incident_type} starts no SOP"
                )


def test_every_shipped_sop_has_a_golden_script_and_trace_and_every_one_an_sop():
    scripts = sorted(path.name.removesuffix(".script.yaml") for path in GOLDEN.glob("*.script.yaml"))
    traces = sorted(path.name.removesuffix(".trace") for path in GOLDEN.glob("*.trace"))
    assert scripts == SOP_IDS
    assert traces == SOP_IDS


# what each SOP does


@pytest.mark.parametrize("sop_id", SOP_IDS)
def test_a_dry_run_restarted_between_every_two_events_produces_the_golden_trace(sop_id):
    _definition, _script, result = golden_run(sop_id)
    trace_path = GOLDEN / f"{sop_id}.trace"
    actual = result.trace_text()
    if UPDATE_GOLDEN:
        trace_path.write_text(actual, encoding="utf-8")
        pytest.fail(f"ICCC_UPDATE_GOLDEN=1: rewrote {trace_path}; review it, commit it, and run again without it")
    assert trace_path.exists(), f"{trace_path} is missing; generate it with ICCC_UPDATE_GOLDEN=1 and review it"
    assert actual == trace_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("sop_id", SOP_IDS)
def test_restarts_change_nothing_a_run_does(sop_id):
    _definition, _script, restarted = golden_run(sop_id)
    _definition, _script, uninterrupted = golden_run(sop_id, restart_between_events=False)
    assert restarted.trace_text() == uninterrupted.trace_text()
    assert run_to_json(restarted.run) == run_to_json(uninterrupted.run)


@pytest.mark.parametrize("sop_id", SOP_IDS)
def test_replaying_the_recorded_events_reproduces_the_final_run(sop_id):
    definition, script, result = golden_run(sop_id)
    replayed = replay(run_id=result.run.run_id, definition=definition, incident=script.facts(), events=result.events)
    assert run_to_json(replayed) == run_to_json(result.run)


@pytest.mark.parametrize("sop_id", SOP_IDS)
def test_every_golden_run_reaches_an_end(sop_id):
    """No shipped SOP stalls on its golden script: it finishes, or is stood down, before the script ends."""
    _definition, _script, result = golden_run(sop_id)
    assert result.run.is_finished, result.trace_text()


def test_every_shipped_step_has_a_title_for_people():
    """Steps are shown by their titles; an SOP without them is still valid (its ids said in words)."""
    for sop in shipped_sops():
        for step in sop.steps:
            assert step.title and step.label == step.title, f"{sop.sop_id}: {step.step_id}"


def test_a_step_without_a_title_is_its_id_in_words():
    sop = load_sop_text("id: t\nversion: 1\ntitle: T\ntrigger: {incident_types: [flood]}\ntarget: 2h\nsteps:\n"
                        "  - id: close_road\n    task: {role: traffic, do: x}\n"
                        "  - id: warn\n    title: Warn the ward\n    notify: {to: public, message: m}\n")
    labels = {step.step_id: step.label for step in (sop.steps)}
    assert labels == {"close_road": "close road", "warn": "Warn the ward"}
