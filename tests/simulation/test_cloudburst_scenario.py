"""The shipped cloudburst drill: rain raises three drain gauges, the shipped correlation rule
declares a flood from the readings alone, the flood SOP warns drivers on the message signs near
it and starts the pumps, and they confirm; all in simulated time, the same for the same seed."""

from __future__ import annotations

import pytest

from simulation import InlineExecutor, load_scenario, replication_kpis, replication_seeds, run_drill, run_replication
from tests.simulation.conftest import SCENARIOS


@pytest.fixture(scope="module")
def cloudburst():
    """Two replications of the first hour: the rain starts at 20 minutes, the drains cross their
    mark about ten minutes later, and the flood is assessed within minutes of that."""
    scenario = load_scenario(SCENARIOS / "cloudburst.yaml")
    return scenario.model_copy(update={"duration": 3600.0, "replications": 2})


@pytest.fixture(scope="module")
def drill(cloudburst):
    return run_drill(cloudburst, executor=InlineExecutor())


def test_the_rule_declares_the_flood_from_the_readings(drill):
    for records in drill:
        (raised,) = [f for f in records.rule_firings if f.outcome == "raised"]
        assert (raised.rule, raised.result, raised.sensors) == ("drains-flood@v2", "declared",
                                                                "drain-02, drain-03, drain-04")
        (flood,) = records.incidents
        assert (flood.incident_type, flood.origin, flood.incident, flood.declared_s) == (
            "flood", "rule", raised.incident, raised.at_s)
        assert flood.sop.startswith("urban-flood@")
        assert records.counters["readings"] == 6 * 60


def test_the_flood_sop_commands_the_signs_and_pumps_near_it_and_they_confirm(drill):
    for records in drill:
        sent = sorted((c.step, c.device) for c in records.commands)
        assert sent == [("start_pumps", "pump-ring-road"), ("warn_drivers", "vms-ring-road-1"),
                        ("warn_drivers", "vms-ring-road-2"), ("warn_drivers", "vms-underpass")]
        confirmed = [c for c in records.commands if c.status == "confirmed"]
        assert {c.step for c in confirmed} == {"start_pumps", "warn_drivers"}
        assert all(c.confirm_s == pytest.approx(c.answered_s - c.sent_s) for c in confirmed)
        kpis = replication_kpis(records)
        assert kpis["commands | all"] == 4 and kpis["commands_confirmed | all"] == len(confirmed)
        assert kpis["rule_declarations | all"] == 1
        assert "command_confirm_s.mean | message_sign" in kpis


def test_the_same_seed_gives_the_same_records(cloudburst, drill):
    assert run_drill(cloudburst, executor=InlineExecutor()) == drill
    assert drill[0].rule_firings != drill[1].rule_firings or drill[0].commands != drill[1].commands


def test_the_production_services_give_the_same_cloudburst(cloudburst, drill):
    """Gauges, rule, duplicate check, registry, commands and answers through the production services
    over SQLite: the records of the runtime world, table for table."""
    services = run_replication(cloudburst, 0, replication_seeds(cloudburst)[0], world="services")
    for table in services.TABLES:
        assert services.table(table) == drill[0].table(table), table
