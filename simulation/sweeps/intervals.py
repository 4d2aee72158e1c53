"""Honest intervals for a sweep's KPIs: never outside what the KPI can be.

A Student t interval of replication means is symmetric: for a skewed KPI over few replications
(a p90 response time, an escalation count) it can reach below zero. The sweep uses instead:

- the percentile bootstrap of the mean (`scipy.stats.bootstrap`), whose bounds are means of
  resampled replications, so they lie within the values seen and never below zero for a time
  or outside [0, 1] for a share; resampled with a fixed seed, so the same values give the same
  interval on any machine;
- Wilson's score interval (`scipy.stats.binomtest`) for the share of replications that meet a
  target, which stays within [0, 1] even at 0 of n or n of n.

The drill report's statistics are being reworked on their own; these functions are kept in this
one module so that the sweep can take the shared ones when they land.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
RESAMPLES = 2000
"""Bootstrap resamples: the bounds move by well under 1% of the spread between two seeds."""
BOOTSTRAP_SEED = 20_260_705


@dataclass(frozen=True)
class Interval:
    """A mean (or share) with its 95% interval; `low == high == mean` from a single value, and
    nan everywhere from none."""

    n: int
    mean: float
    low: float
    high: float
    method: str

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean of `values` with its percentile-bootstrap interval (`low`, `high` nan for n < 2)."""
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if len(array) == 0:
        return Interval(0, math.nan, math.nan, math.nan, "none")
    mean = float(array.mean())
    if len(array) < 2:
        return Interval(1, mean, math.nan, math.nan, "none")
    if float(array.min()) == float(array.max()):
        return Interval(len(array), mean, mean, mean, "bootstrap")
    from scipy import stats  # here, not at import: scipy.stats costs every `iccc` command 0.2 s

    result = stats.bootstrap((array,), np.mean, confidence_level=confidence, n_resamples=RESAMPLES,
                             method="percentile", vectorized=True,
                             rng=np.random.default_rng(BOOTSTRAP_SEED))
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    # Resampled means lie within the data; clipping only guards against rounding at the edges.
    return Interval(len(array), mean, max(low, float(array.min())), min(high, float(array.max())), "bootstrap")


def paired_difference_interval(a: Sequence[float], b: Sequence[float],
                               confidence: float = CONFIDENCE) -> Interval:
    """B minus A, paired by replication (common seeds), with its bootstrap interval."""
    return mean_interval([y - x for x, y in zip(a, b) if math.isfinite(x) and math.isfinite(y)], confidence)


def share_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Interval:
    """The share `successes / n` with Wilson's score interval, within [0, 1]."""
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, "none")
    from scipy import stats

    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return Interval(n, successes / n, max(0.0, float(ci.low)), min(1.0, float(ci.high)), "wilson")
