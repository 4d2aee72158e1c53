"""The shipped cloudburst drill: rain raises three drain gauges, the shipped correlation rule
declares a flood from the readings alone, the flood SOP warns drivers on the message signs near
it, and the signs confirm; all in simulated time, the same for the same seed."""

from __future__ import annotations

import pytest

from simulation import InlineExecutor, load_scenario, replication_kpis, run_drill
from tests.simulation.conftest import SCENARIOS


@pytest.fixture(scope="module")
def cloudburst():
    """Two replications of the first 75 minutes: the rain starts at 20 minutes."""
    scenario = load_scenario(SCENARIOS / "cloudburst.yaml")
    return scenario.model_copy(update={"duration": 75 * 60.0, "replications": 2})


@pytest.fixture(scope="module")
def drill(cloudburst):
    return run_drill(cloudburst, executor=InlineExecutor())


def test_the_rule_declares_the_flood_from_the_readings(drill):
    """One flood: a gauge's noise about its mark as the water recedes can clear the cluster and raise
    it again, and that report is linked to the open flood, as the live duplicate check links it."""
    for records in drill:
        first, *again = [f for f in records.rule_firings if f.outcome == "raised"]
        assert (first.rule, first.result, first.sensors) == ("drains-flood@v1", "declared", "drain-02, drain-03, drain-04")
        assert all((f.result, f.incident) == ("linked", first.incident) for f in again)
        (flood,) = records.incidents
        assert (flood.incident_type, flood.origin, flood.incident, flood.declared_s) == (
            "flood", "rule", first.incident, first.at_s)
        assert flood.sop.startswith("urban-flood")
        assert records.counters["readings"] == 6 * 75


def test_the_flood_sop_commands_the_signs_near_it_and_they_confirm(drill):
    for records in drill:
        assert {c.step for c in records.commands} == {"warn_drivers"}
        assert sorted(c.device for c in records.commands) == ["vms-ring-road-1", "vms-ring-road-2", "vms-underpass"]
        confirmed = [c for c in records.commands if c.status == "confirmed"]
        assert confirmed and all(c.confirm_s == pytest.approx(c.answered_s - c.sent_s) for c in confirmed)
        kpis = replication_kpis(records)
        assert kpis["commands | all"] == 3 and kpis["commands_confirmed | all"] == len(confirmed)
        assert kpis["rule_declarations | all"] == 1
        assert "command_confirm_s.mean | message_sign" in kpis


def test_the_same_seed_gives_the_same_records(cloudburst, drill):
    assert run_drill(cloudburst, executor=InlineExecutor()) == drill
    assert any(f.result == "linked" for records in drill for f in records.rule_firings)
    assert drill[0].rule_firings != drill[1].rule_firings or drill[0].commands != drill[1].commands
