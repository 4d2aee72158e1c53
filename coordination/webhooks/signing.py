"""Standard Webhooks signatures, made with the standard's reference library."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from math import floor
from typing import Sequence

from standardwebhooks import Webhook


@lru_cache(maxsize=4096)
def _webhook(secret: str) -> Webhook:
    """A signer per secret, kept: decoding the secret for every message is waste."""
    return Webhook(secret)


def signed_headers(*, secrets: Sequence[str], message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """Return the `webhook-*` headers for `body`, with one `v1,` signature per secret.

    During a secret rotation both the new and the old secret are passed, so a receiver that
    holds either verifies the message.
    """
    if not secrets:
        raise ValueError("at least one secret is needed to sign a webhook")
    signatures = " ".join(_webhook(secret).sign(message_id, timestamp, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(floor(timestamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


def secrets_in_force(*, current: str | None, previous: str | None, previous_expires_at: datetime | None,
                     now: datetime) -> list[str]:
    """The secrets that sign a message now: the current one, and during a rotation the previous."""
    in_force = [current] if current else []
    if previous and previous_expires_at is not None and previous_expires_at > now:
        in_force.append(previous)
    return in_force
