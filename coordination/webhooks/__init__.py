"""Webhooks to agencies: the outbox, Standard Webhooks signing, the delivery worker, dead letters."""

from coordination.webhooks.allowlist import check_webhook_url, parse_allowed_hosts
from coordination.webhooks.backoff import MAX_DELIVERY_ATTEMPTS, retry_after_s, retry_delay_s
from coordination.webhooks.dead_letters import dead_letters_query, replay_all_dead_letters, replay_dead_letter
from coordination.webhooks.delivery import DeliveryRound, deliver_due_messages
from coordination.webhooks.sender import HttpSender, Sender, SendResult
from coordination.webhooks.signing import secrets_in_force, signed_headers

__all__ = [
    "MAX_DELIVERY_ATTEMPTS",
    "DeliveryRound",
    "HttpSender",
    "SendResult",
    "Sender",
    "check_webhook_url",
    "dead_letters_query",
    "deliver_due_messages",
    "parse_allowed_hosts",
    "replay_all_dead_letters",
    "replay_dead_letter",
    "retry_after_s",
    "retry_delay_s",
    "secrets_in_force",
    "signed_headers",
]
