"""A replication's random draws, taken from its seeded NumPy generator in blocks.

A single NumPy draw costs about a microsecond of call overhead, more than the rest of a
simulated call's bookkeeping; a block of 4,096 costs about the same as one. `Draws` refills a
block of each kind (uniform, standard exponential, standard normal) when it runs out, so the
sequence of values is still a pure function of the seed, and a replication still reproduces
exactly. Every drill draw goes through one `Draws`, never the global generator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

BLOCK = 4096
"""Values drawn from NumPy per refill: large enough that the refill's overhead vanishes, small
enough that a short drill does not draw far more than it uses."""


class Draws:
    """Uniform, exponential, normal, lognormal and weighted-choice draws from one generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._uniform: list[float] = []
        self._exponential: list[float] = []
        self._normal: list[float] = []

    def random(self) -> float:
        """A uniform draw in [0, 1)."""
        if not self._uniform:
            self._uniform = self.rng.random(BLOCK).tolist()
        return self._uniform.pop()

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def exponential(self, mean: float) -> float:
        if not self._exponential:
            self._exponential = self.rng.standard_exponential(BLOCK).tolist()
        return mean * self._exponential.pop()

    def normal(self, mean: float, sd: float) -> float:
        if not self._normal:
            self._normal = self.rng.standard_normal(BLOCK).tolist()
        return mean + sd * self._normal.pop()

    def lognormal(self, mu: float, sigma: float) -> float:
        """exp(N(mu, sigma)): `mu` and `sigma` of the underlying normal, as NumPy's."""
        return math.exp(self.normal(mu, sigma))

    def pick(self, weights: Sequence[float]) -> int:
        """An index chosen with probability proportional to its weight (the weights sum above 0)."""
        target = self.random() * math.fsum(weights)
        running = 0.0
        for index, weight in enumerate(weights):
            running += weight
            if target < running:
                return index
        return max(i for i, w in enumerate(weights) if w > 0)  # rounding at the top end
