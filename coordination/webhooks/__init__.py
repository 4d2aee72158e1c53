"""Webhooks to agencies: the outbox, Standard Webhooks signing and the delivery worker."""

from coordination.webhooks.allowlist import check_webhook_url, parse_allowed_hosts
from coordination.webhooks.backoff import MAX_DELIVERY_ATTEMPTS, retry_delay_s
from coordination.webhooks.delivery import DeliveryRound, deliver_due_messages
from coordination.webhooks.sender import HttpSender, Sender, SendResult
from coordination.webhooks.signing import signed_headers

__all__ = [
    "MAX_DELIVERY_ATTEMPTS",
    "DeliveryRound",
    "HttpSender",
    "SendResult",
    "Sender",
    "check_webhook_url",
    "deliver_due_messages",
    "parse_allowed_hosts",
    "retry_delay_s",
    "signed_headers",
]
