"""How long to wait before the next delivery attempt."""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import parsedate_to_datetime

MAX_DELIVERY_ATTEMPTS = 10  # 15 s doubling: 1 to 2 h of retries, longer than a typical gateway outage
FIRST_RETRY_S = 15.0
LONGEST_WAIT_S = 3_600.0
LONGEST_RETRY_AFTER_S = 6 * 3_600.0  # a receiver may ask for a pause, not for the task to be shelved


def retry_delay_s(attempts_made: int, rng: random.Random) -> float:
    """Exponential backoff with jitter: half the doubled delay is random, so agencies that come
    back after an outage are not hit by every queued message at the same instant."""
    ceiling = min(LONGEST_WAIT_S, FIRST_RETRY_S * 2 ** max(0, attempts_made - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def retry_after_s(header: str | None, now: datetime) -> float | None:
    """Read a `Retry-After` header (delta-seconds or an HTTP date, RFC 9110 §10.2.3); None if absent
    or unreadable. Capped, so that a receiver cannot park a task for days."""
    if not header:
        return None
    value = header.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    return max(0.0, min(seconds, LONGEST_RETRY_AFTER_S))


def next_delay_s(attempts_made: int, rng: random.Random, *, retry_after: float | None) -> float:
    """The wait before the next attempt: the backoff, or longer if the receiver asked for it."""
    backoff = retry_delay_s(attempts_made, rng)
    return backoff if retry_after is None else max(backoff, retry_after)
