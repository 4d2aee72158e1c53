"""Confidence intervals a planner can trust from a handful of replications.

Every KPI of a drill is a mean over replications of something bounded: a share of tasks in
time (0 to 1), a time (never negative), a count. A Student t-interval from two or three
replications ignores the bounds and, with so few values, is wider than everything possible
(a share "between -0.77 and 2.1"). Instead:

- below `MIN_REPLICATIONS` there is no interval, only the words "too few replications";
- from there on, the percentile bootstrap of the mean (`scipy.stats.bootstrap`): resampled
  means never leave the range of the observed values, so a share stays within 0 and 1 and a time
  stays positive, whatever the skew.

The bootstrap draws from a generator seeded here, so the same records give the same report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95

MIN_REPLICATIONS = 5
"""Below this the bootstrap has too few distinct resamples (3 values give 10) to say anything
about the spread of a mean, and a t-interval says something false: no interval is printed."""

BOOTSTRAP_RESAMPLES = 2000
"""Enough for the 2.5% and 97.5% percentiles to move by well under the interval's own width."""

BOOTSTRAP_SEED = 20260401
"""A fixed seed: a report is the same every time its records are summarised."""


@dataclass(frozen=True)
class Interval:
    """A mean and its interval; `low` and `high` are nan when there are too few values."""

    n: int
    mean: float
    low: float
    high: float

    @property
    def too_few(self) -> bool:
        return self.n < MIN_REPLICATIONS

    @property
    def width(self) -> float:
        return self.high - self.low


def bootstrap_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """The mean of `values` and its percentile-bootstrap interval (nan below `MIN_REPLICATIONS`)."""
    array = np.asarray(values, dtype=float)
    n = len(array)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    mean = float(array.mean())
    if n < MIN_REPLICATIONS:
        return Interval(n, mean, math.nan, math.nan)
    if float(array.min()) == float(array.max()):
        return Interval(n, mean, mean, mean)  # every resample is the same mean
    # Imported here, not at module import: scipy.stats costs every `iccc` command about 0.2 s.
    from scipy import stats

    result = stats.bootstrap((array,), np.mean, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                             method="percentile", vectorized=True, rng=np.random.default_rng(BOOTSTRAP_SEED))
    low, high = result.confidence_interval
    # Percentiles of resampled means lie within the values' range; the clip only removes
    # floating-point dust at the edges (a share of 1.0000000000000002).
    return Interval(n, mean, float(max(low, array.min())), float(min(high, array.max())))
