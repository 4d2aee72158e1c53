"""KPIs and their confidence intervals across replications."""

from __future__ import annotations

import math

import pytest

from simulation import compare, summarise, t_interval


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
    a = [{"x": 10.0}, {"x": 20.0}, {"x": 30.0}]
    b = [{"x": 11.0}, {"x": 21.0}, {"x": 31.0}]
    (row,) = compare(a, b)
    assert row.difference == pytest.approx(1.0) and row.half_width == pytest.approx(0.0)
    assert row.a.half_width > 10  # side by side, the two intervals overlap widely
