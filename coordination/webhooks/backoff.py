"""How long to wait before the next delivery attempt."""

from __future__ import annotations

import random

MAX_DELIVERY_ATTEMPTS = 10  # 15 s doubling: 1 to 2 h of retries, longer than a typical gateway outage
FIRST_RETRY_S = 15.0
LONGEST_WAIT_S = 3_600.0


def retry_delay_s(attempts_made: int, rng: random.Random) -> float:
    """Exponential backoff with jitter: half the doubled delay is random, so agencies that come
    back after an outage are not hit by every queued message at the same instant."""
    ceiling = min(LONGEST_WAIT_S, FIRST_RETRY_S * 2 ** max(0, attempts_made - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
