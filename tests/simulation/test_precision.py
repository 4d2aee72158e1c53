"""`iccc drill run --precision KPI=WIDTH`: replications are added until the KPI is known that well."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from processes.cli import main
from simulation.intervals import MIN_REPLICATIONS
from simulation.precision import PrecisionTarget, run_until_precise
from simulation.records import DrillRecords, IncidentRecord


def fake_replication(number: int) -> DrillRecords:
    """One incident whose response time alternates 60 s / 180 s by replication: a mean of 120 s."""
    incident = IncidentRecord(replication=number, incident=0, incident_type="fire", severity="severe", priority=1,
                              origin="generated", declared_s=0.0, lon=0.0, lat=0.0, sop="x", first_on_scene_s=None,
                              response_s=60.0 if number % 2 else 180.0, resolved_s=None, status="open")
    return DrillRecords(replication=number, duration_s=3600.0, incidents=(incident,))


def test_replications_are_added_until_the_interval_is_narrower_than_the_target(small_city):
    rounds: list[tuple[int, float]] = []
    asked: list[tuple[int, int]] = []

    def run(scenario, first):
        asked.append((first, scenario.replications))
        return [fake_replication(first + k) for k in range(scenario.replications)]

    drill = run_until_precise(small_city, PrecisionTarget.parse("response_s.mean=40"), run=run,
                              on_round=lambda n, width: rounds.append((n, width)))
    assert drill.reached and drill.width < 40
    assert [r.replication for r in drill.records] == list(range(len(drill.records)))  # one seed sequence, continued
    assert asked[0] == (0, MIN_REPLICATIONS) and len(asked) > 1
    assert rounds[-1][1] < 40 <= rounds[-2][1]


def test_a_misspelt_kpi_is_named_and_the_width_must_be_a_positive_number():
    with pytest.raises(ValueError, match="KPI=WIDTH"):
        PrecisionTarget.parse("response_s.mean")
    with pytest.raises(ValueError, match="positive"):
        PrecisionTarget.parse("response_s.mean=-3")
    assert PrecisionTarget.parse("ack_in_time.share | fire-central=0.1").kpi == "ack_in_time.share | fire-central"


def test_the_command_prints_how_many_replications_it_took(small_city_file, tmp_path):
    result = CliRunner().invoke(main, ["drill", "run", str(small_city_file), "--report", str(tmp_path / "r"),
                                       "--engine", "runtime", "--precision", "incidents=1000"])
    assert result.exit_code == 0, result.output
    assert f"precision reached after {MIN_REPLICATIONS} replications: incidents interval" in result.output


def test_the_command_says_when_the_target_was_not_reached_and_fails(small_city_file, tmp_path):
    result = CliRunner().invoke(main, ["drill", "run", str(small_city_file), "--report", str(tmp_path / "r"),
                                       "--engine", "runtime", "--precision", "incidents=0.001",
                                       "--max-replications", str(MIN_REPLICATIONS + 1)])
    assert result.exit_code == 1
    assert "precision NOT reached: incidents interval" in result.output
    assert (tmp_path / "r" / "index.html").exists()  # the report is written all the same
