"""KPIs and their confidence intervals across replications."""

from __future__ import annotations

import math

import pytest

from simulation import compare, summarise, t_interval
from simulation.intervals import MIN_REPLICATIONS
from simulation.kpi_names import format_interval, format_value, kpi_label
from simulation.kpis import device_kpis, rule_kpis
from simulation.records import CommandRecord, DrillRecords, RuleFiringRecord


def test_a_t_interval_of_known_values():
    """Mean 2, sample sd 1, n = 3: half-width t(0.975, 2) x 1 / sqrt(3) = 2.484."""
    mean, half = t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)


def test_one_replication_has_no_interval():
    mean, half = t_interval([5.0])
    assert mean == 5.0 and math.isnan(half)


def test_a_kpi_missing_in_some_replications_is_summarised_over_the_others():
    rows = summarise([{"a": 1.0, "b": 4.0}, {"a": 3.0}])
    assert [(r.name, r.n, r.mean) for r in rows] == [("a", 2, 2.0), ("b", 1, 4.0)]


def test_differences_are_paired_by_replication():
    """B is A plus exactly 1 in every replication: the paired difference is 1 with no spread."""
    a = [{"x": 10.0 * k} for k in range(1, 7)]
    b = [{"x": 10.0 * k + 1} for k in range(1, 7)]
    (row,) = compare(a, b)
    assert row.difference.mean == pytest.approx(1.0) and row.difference.width == pytest.approx(0.0)
    assert row.a.width > 10  # side by side, the two intervals overlap widely


def test_the_issues_three_replications_give_no_interval_but_say_why():
    """Shares 0, 1, 0.3 gave a t-interval of -0.77 to 2.1: now there is none, and the report says so."""
    (row,) = summarise([{"ack_in_time.share | ddma/assess": v} for v in (0.0, 1.0, 0.3)])
    assert row.too_few and math.isnan(row.low) and math.isnan(row.high)
    text = format_interval(row.name, row.n, row.mean, row.low, row.high)
    assert text == f"43.3% (too few replications for an interval: 3 of at least {MIN_REPLICATIONS})"


@pytest.mark.parametrize("values, lowest, highest", [
    ([0.0, 1.0, 1.0, 0.0, 1.0, 0.0], 0.0, 1.0),  # a share: never outside 0..1
    ([30.0, 40.0, 9000.0, 35.0, 50.0], 0.0, math.inf),  # a skewed time: never below zero
])
def test_an_interval_never_leaves_what_is_possible(values, lowest, highest):
    (row,) = summarise([{"k": v} for v in values])
    assert lowest <= row.low <= row.mean <= row.high <= highest
    assert min(values) <= row.low and row.high <= max(values)
    assert (row.low, row.high) == (summarise([{"k": v} for v in values])[0].low,
                                   summarise([{"k": v} for v in values])[0].high)  # the same report every time


def test_kpis_in_words_with_units():
    assert kpi_label("ack_in_time.share | ddma/assess") == "Tasks acknowledged within the SOP's deadline — ddma, step: assess"
    assert kpi_label("response_s.p90 | road_accident/severe").endswith("— road accident, severe")
    assert format_value("response_s.mean | all", 750.0) == "12.5 min"
    assert format_value("utilisation | all", 0.256) == "25.6%"


def _command(kind: str, status: str, confirm_s: float | None, in_time: bool, incident: int = 1):
    return CommandRecord(replication=0, incident=incident, step="warn", device=f"{kind}-{status}", device_kind=kind,
                         action="display", sent_s=100.0, due_s=280.0,
                         answered_s=None if status == "sent" else 100.0 + (confirm_s or 5.0), status=status,
                         confirm_s=confirm_s, confirmed_in_time=in_time)


def test_device_commands_are_counted_by_outcome_and_timed_to_confirmation_per_kind():
    records = DrillRecords(replication=0, duration_s=3600.0, commands=(
        _command("message_sign", "confirmed", 20.0, True), _command("message_sign", "confirmed", 200.0, False),
        _command("message_sign", "failed", None, False), _command("siren", "sent", None, False)))
    kpis = device_kpis(records)
    assert {name: kpis[name] for name in kpis if name.endswith("| all")} == {
        "commands | all": 4.0, "commands_confirmed | all": 2.0, "commands_failed | all": 1.0,
        "commands_unanswered | all": 1.0, "command_confirmed_in_time.share | all": 0.25,
        "command_confirm_s.mean | all": 110.0, "command_confirm_s.p90 | all": pytest.approx(182.0)}
    assert kpis["commands_unanswered | siren"] == 1.0 and "command_confirm_s.mean | siren" not in kpis
    assert kpi_label("commands_failed | message_sign") == "Device commands the device failed to carry out — message sign"
    assert device_kpis(DrillRecords(replication=0, duration_s=60.0)) == {}


def test_rule_firings_count_what_the_rules_raised_and_the_incidents_they_declared():
    def firing(outcome: str, result: str, rule: str = "drains-flood@v1") -> RuleFiringRecord:
        return RuleFiringRecord(replication=0, rule=rule, episode=f"{rule}/*/1", outcome=outcome, at_s=60.0,
                                severity="moderate", sensors="d1", result=result, incident=1)

    records = DrillRecords(replication=0, duration_s=3600.0, rule_firings=(
        firing("raised", "declared"), firing("cleared", "cleared"), firing("raised", "linked"),
        firing("raised", "maintenance", rule="blocked-drain@v1")))
    assert rule_kpis(records) == {"rule_firings | all": 3.0, "rule_declarations | all": 1.0,
                                  "rule_firings | blocked-drain@v1": 1.0, "rule_firings | drains-flood@v1": 2.0}
    assert rule_kpis(DrillRecords(replication=0, duration_s=60.0)) == {}
