"""Honest intervals for a sweep's KPIs: never outside what the KPI can be.

Means over replications take the drill report's own percentile-bootstrap interval
(`simulation.intervals.bootstrap_interval`: within the values seen, so a time never below zero
and a share never outside [0, 1]; none below five replications). Two more a sweep needs:

- B minus A paired by replication (every variant draws the same seeds), for what one more unit
  buys;
- the share of replications that met a target, with Wilson's score interval
  (`scipy.stats.binomtest`), which stays within [0, 1] even at 0 of n or n of n.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulation.intervals import CONFIDENCE, Interval, bootstrap_interval

mean_interval = bootstrap_interval


def half_width(interval: Interval) -> float:
    return interval.width / 2


def paired_difference_interval(a: Sequence[float], b: Sequence[float],
                               confidence: float = CONFIDENCE) -> Interval:
    """B minus A, paired by replication (common seeds), with its bootstrap interval."""
    return bootstrap_interval([y - x for x, y in zip(a, b) if math.isfinite(x) and math.isfinite(y)], confidence)


def share_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """The share `successes / n` with Wilson's score interval, within [0, 1]."""
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    # Imported here, not at module import: scipy.stats costs every `iccc` command about 0.2 s.
    from scipy import stats

    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return Interval(n, successes / n, max(0.0, float(ci.low)), min(1.0, float(ci.high)))
