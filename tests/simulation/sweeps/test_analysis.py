"""What a sweep says: honest intervals, the marginal gain of each added unit, the cheapest variant
that meets the targets, and the tidy table and report that carry them."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq

from simulation import t_interval
from simulation.sweeps import (
    SweepRun,
    analyse,
    expand,
    gain_sentence,
    load_sweep,
    mean_interval,
    share_interval,
    tidy_table,
    verdict,
    write_sweep_report,
    write_table,
)

P90 = "response_s.p90 | all"


def test_a_skewed_time_keeps_its_interval_above_zero_where_a_t_interval_does_not():
    values = [0.0, 0.0, 0.0, 0.0, 600.0]
    mean, half = t_interval(values)
    assert mean - half < 0
    interval = mean_interval(values)
    assert interval.mean == 120 and 0 <= interval.low < interval.mean < interval.high <= 600
    assert mean_interval(values) == interval  # resampled with a fixed seed: the same every time


def test_shares_stay_within_zero_and_one_even_at_none_and_all():
    none, every = share_interval(0, 5), share_interval(5, 5)
    assert none.low == 0 and 0 < none.high < 1
    assert 0 < every.low < 1 and every.high == 1
    assert mean_interval([7.0]).n == 1 and mean_interval([]).n == 0


def fake_run(p90_by_count: dict[int, float], replications: int = 5) -> SweepRun:
    """Variants 0, 1, 2 hold 1, 2, 3 ambulances at east; replication r adds r seconds to each."""
    kpis = {(variant, r): {P90: p90 + r, "incidents": 5.0}
            for variant, p90 in enumerate(p90_by_count.values()) for r in range(replications)}
    return SweepRun(kpis=kpis, from_cache=0, ran=len(kpis))


def test_each_added_unit_is_told_as_the_minutes_it_cuts(write_sweep):
    loaded = load_sweep(write_sweep())
    variants = expand(loaded)
    analysis = analyse(loaded, variants, fake_run({1: 900.0, 2: 600.0, 3: 580.0}))
    assert [gain_sentence(g) for g in analysis.gains] == [
        "the second ambulance at east cuts response_s.p90 | all by 5.0 min (95% CI 5.0 min to 5.0 min)",
        "the third ambulance at east cuts response_s.p90 | all by 20 s (95% CI 20 s to 20 s)",
    ]


def test_the_cheapest_variant_whose_interval_meets_every_target_is_chosen(write_sweep):
    loaded = load_sweep(write_sweep(
        "name: s\nscenario: city.yaml\nvary:\n  fleet:\n    - {station: east, unit_type: ambulance, counts: [1, 2, 3]}\n"
        "targets:\n  - {kpi: 'response_s.p90 | all', at_most: 11m}\ncosts: {ambulance: 4}\n"))
    variants = expand(loaded)
    analysis = analyse(loaded, variants, fake_run({1: 900.0, 2: 600.0, 3: 580.0}))
    assert analysis.cheapest == {"": 1}
    assert [analysis.costs[v.number] for v in variants] == [9, 13, 17]  # a police car and the other ambulance: 1 + 4
    assert verdict(loaded, variants, analysis) == \
        "Cheapest variant meeting every target: #1 (fleet east/ambulance=2), cost 13."
    nobody = analyse(loaded, variants, fake_run({1: 900.0, 2: 800.0, 3: 700.0}))
    assert nobody.cheapest == {"": None}
    assert verdict(loaded, variants, nobody).startswith("No variant meets every target with 95% confidence")


def test_the_tidy_table_and_the_report_say_the_same(write_sweep, tmp_path):
    loaded = load_sweep(write_sweep())
    variants = expand(loaded)
    run = fake_run({1: 900.0, 2: 600.0, 3: 580.0})
    table = tidy_table(loaded, variants, run)
    parquet, text = write_table(table, tmp_path)
    assert pq.read_table(parquet).equals(table)
    with text.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 5 * 2
    assert rows[0] == {"variant": "0", "label": "fleet east/ambulance=1", "fleet east/ambulance": "1", "cost": "3",
                       "replication": "0", "seed": "5", "kpi": "incidents", "value": "5"}
    analysis = analyse(loaded, variants, run)
    page = write_sweep_report(folder=tmp_path, loaded=loaded, variants=variants, analysis=analysis,
                              replications=15, from_cache=0).read_text(encoding="utf-8")
    assert "EXERCISE" in page and "http" not in page
    assert "Cheapest variant meeting every target: #0 (fleet east/ambulance=1), cost 3." in page
    assert "the second ambulance at east cuts response_s.p90 | all by 5.0 min" in page


def test_the_cheapest_choice_is_sought_under_each_condition_not_across_them(write_sweep):
    loaded = load_sweep(write_sweep(
        "name: s\nscenario: city.yaml\nvary:\n  fleet:\n    - {station: east, unit_type: ambulance, counts: [1, 2]}\n"
        "  arrival_rate:\n    - {scale: [1, 2]}\ntargets:\n  - {kpi: 'response_s.p90 | all', at_most: 11m}\n"))
    variants = expand(loaded)
    # Variants: 1 ambulance at x1 and x2, then 2 ambulances at x1 and x2. Busier streets need the second.
    p90 = {0: 600.0, 1: 900.0, 2: 500.0, 3: 620.0}
    run = SweepRun(kpis={(v, r): {P90: p90[v] + r} for v in p90 for r in range(5)}, from_cache=0, ran=20)
    analysis = analyse(loaded, variants, run)
    assert analysis.cheapest == {"arrival rate all=x1": 0, "arrival rate all=x2": 3}
    assert verdict(loaded, variants, analysis) == (
        "With arrival rate all=x1: Cheapest variant meeting every target: #0 (fleet east/ambulance=1), cost 3. "
        "With arrival rate all=x2: Cheapest variant meeting every target: #3 (fleet east/ambulance=2), cost 4.")
