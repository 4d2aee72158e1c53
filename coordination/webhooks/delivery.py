"""The delivery worker: sends due outbox messages, records every attempt, retries, dead-letters.

Each round claims due messages by pushing their next attempt a lease into the future (so a
worker that dies mid-send leaves them to be retried), sends outside any transaction, then
records the outcome. The `webhook-id` is the message id, the same on every retry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.clock import Clock
from coordination.errors import UnsafeWebhookUrl
from coordination.lifecycles import DeliveryStatus, TaskStatus, TASK_MOVES
from coordination.store.database import Store
from coordination.store.tables import DeliveryAttempt, Task, WebhookMessage
from coordination.webhooks.allowlist import check_webhook_url
from coordination.webhooks.backoff import MAX_DELIVERY_ATTEMPTS, retry_delay_s
from coordination.webhooks.sender import Sender, SendResult
from coordination.webhooks.signing import signed_headers

log = structlog.get_logger(__name__)

CLAIM_LEASE_S = 120  # longer than connect + read timeouts, so a live worker never loses its claim
BATCH_SIZE = 50


@dataclass(frozen=True)
class _Claimed:
    message_id: str
    url: str
    secret: str
    body: str
    attempt: int


@dataclass
class DeliveryRound:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    message_ids: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.dead


def deliver_due_messages(
    *, store: Store, clock: Clock, sender: Sender, rng: random.Random, allowed_hosts: frozenset[str],
    batch_size: int = BATCH_SIZE,
) -> DeliveryRound:
    """Attempt every message whose next attempt is due; return what happened."""
    result = DeliveryRound()
    for claimed in _claim_due(store=store, clock=clock, batch_size=batch_size):
        try:
            check_webhook_url(claimed.url, allowed_hosts)
        except UnsafeWebhookUrl as error:
            outcome = SendResult(None, f"not sent: {error}", 0.0)
        else:
            now = clock.now()
            headers = signed_headers(secrets=[claimed.secret], message_id=claimed.message_id, timestamp=now,
                                     body=claimed.body)
            outcome = sender.post(claimed.url, headers=headers, body=claimed.body.encode("utf-8"))
        status = _record(store=store, clock=clock, claimed=claimed, outcome=outcome, rng=rng)
        result.message_ids.append(claimed.message_id)
        if status is DeliveryStatus.DELIVERED:
            result.delivered += 1
        elif status is DeliveryStatus.DEAD:
            result.dead += 1
        else:
            result.retrying += 1
    return result


def _claim_due(*, store: Store, clock: Clock, batch_size: int) -> list[_Claimed]:
    now = clock.now()
    with store.transaction() as session:
        query = (
            select(WebhookMessage)
            .where(WebhookMessage.status == DeliveryStatus.PENDING, WebhookMessage.next_attempt_at <= now)
            .order_by(WebhookMessage.next_attempt_at)
            .limit(batch_size)
        )
        if store.is_postgresql:
            query = query.with_for_update(skip_locked=True, of=WebhookMessage)
        claimed = []
        for message in session.scalars(query).unique():
            agency = message.agency
            message.next_attempt_at = now + timedelta(seconds=CLAIM_LEASE_S)
            if not agency.webhook_url or not agency.webhook_secret:
                continue
            claimed.append(
                _Claimed(message.id, agency.webhook_url, agency.webhook_secret, message.body, message.attempts + 1)
            )
        return claimed


def _record(*, store: Store, clock: Clock, claimed: _Claimed, outcome: SendResult, rng: random.Random) -> DeliveryStatus:
    now = clock.now()
    with store.transaction() as session:
        message = session.get(WebhookMessage, claimed.message_id, with_for_update=store.is_postgresql)
        assert message is not None
        message.attempts = claimed.attempt
        session.add(
            DeliveryAttempt(
                message_id=message.id, attempt=claimed.attempt, attempted_at=now, latency_ms=outcome.latency_ms,
                status_code=outcome.status_code, error=outcome.error,
                outcome="delivered" if outcome.delivered else "failed",
            )
        )
        if outcome.delivered:
            message.status = DeliveryStatus.DELIVERED
            message.delivered_at = now
            message.last_error = ""
            _mark_task_delivered(session, message, now)
        elif claimed.attempt >= MAX_DELIVERY_ATTEMPTS:
            message.status = DeliveryStatus.DEAD
            message.last_error = outcome.error
            _dead_letter(session, message, claimed.attempt, outcome, now)
        else:
            message.last_error = outcome.error
            message.next_attempt_at = now + timedelta(seconds=retry_delay_s(claimed.attempt, rng))
        status = message.status
    metrics.DELIVERIES.labels(outcome="delivered" if outcome.delivered else ("dead" if status is DeliveryStatus.DEAD else "retry")).inc()
    log.info("webhook.attempt", webhook_id=claimed.message_id, attempt=claimed.attempt,
             status_code=outcome.status_code, outcome=status.value, latency_ms=round(outcome.latency_ms, 1))
    return status


def _dead_letter(session: Session, message: WebhookMessage, attempts: int, outcome: SendResult, now: datetime) -> None:
    task = session.get(Task, message.task_id) if message.task_id else None
    audit.record(
        session, at=now, kind="webhook.dead_lettered", actor="engine",
        summary=f"{message.event_type} to {message.agency.code} failed {attempts} times ({outcome.error}); "
        "waiting for a duty officer to replay it",
        incident_id=task.incident_id if task else None,
        data={"webhook_id": message.id, "agency": message.agency.code, "attempts": attempts},
    )


def _mark_task_delivered(session: Session, message: WebhookMessage, now: datetime) -> None:
    if message.task_id is None or message.event_type != "task.created":
        return
    task = session.get(Task, message.task_id)
    if task is not None and task.status is TaskStatus.QUEUED and TaskStatus.DELIVERED in TASK_MOVES[task.status]:
        task.status = TaskStatus.DELIVERED
        task.delivered_at = now
        task.updated_at = now
        audit.record(session, at=now, kind="task.delivered", actor="engine",
                     summary=f"task {task.step_id} delivered to {message.agency.code}",
                     incident_id=task.incident_id, data={"task_id": str(task.id), "webhook_id": message.id})
