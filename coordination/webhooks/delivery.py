"""The delivery worker: sends due outbox messages, records every attempt, retries, dead-letters.

Each round claims due messages by pushing their next attempt a lease into the future (so a
worker that dies mid-send leaves them to be retried), sends outside any transaction (several at
once when given an executor), then records every outcome of the round in one transaction. An
outcome is recorded only if the message is still at the attempt that was claimed, so a claim that
outlived its lease can never record twice. The `webhook-id` is the message id, the same on every
retry, so a receiver can drop duplicates.

Outcomes: 2xx delivers; `410 Gone` disables the agency's endpoint and alerts the duty officer;
anything else is retried with backoff (longer if the receiver sent `Retry-After`) until the
attempt limit, then dead-lettered for the duty officer to replay.
"""

from __future__ import annotations

import random
import uuid
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from coordination import audit, metrics
from coordination.clock import Clock
from coordination.errors import UnsafeWebhookUrl
from coordination.lifecycles import TASK_MOVES, DeliveryStatus, TaskStatus
from coordination.officer_alerts import raise_officer_alert
from coordination.store.database import Store
from coordination.store.tables import Agency, DeliveryAttempt, Task, WebhookMessage
from coordination.webhooks.allowlist import check_webhook_url
from coordination.webhooks.backoff import MAX_DELIVERY_ATTEMPTS, next_delay_s, retry_after_s
from coordination.webhooks.sender import Sender, SendResult
from coordination.webhooks.signing import secrets_in_force, signed_headers

log = structlog.get_logger(__name__)

CLAIM_LEASE_S = 120  # longer than connect + read timeouts, so a live worker never loses its claim
BATCH_SIZE = 200
RECORD_CHUNK = 50  # outcomes recorded per transaction while the rest of a round is still sending


@dataclass(frozen=True)
class _Claimed:
    message_id: str
    url: str
    secrets: tuple[str, ...]
    body: str
    attempt: int
    attempt_limit: int


@dataclass
class DeliveryRound:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    message_ids: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.dead

    def add(self, other: DeliveryRound) -> None:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead += other.dead
        self.message_ids.extend(other.message_ids)


def deliver_due_messages(
    *, store: Store, clock: Clock, sender: Sender, rng: random.Random, allowed_hosts: frozenset[str],
    batch_size: int = BATCH_SIZE, executor: Executor | None = None,
) -> DeliveryRound:
    """Attempt every message whose next attempt is due (up to `batch_size`); return what happened.

    With an `executor`, the round's requests are sent concurrently; claiming and recording stay
    in this thread, one transaction each.
    """
    claimed = _claim_due(store=store, clock=clock, batch_size=batch_size)
    if not claimed:
        return DeliveryRound()

    def send(item: _Claimed) -> SendResult:
        return _send(item, clock=clock, sender=sender, allowed_hosts=allowed_hosts)

    if executor is None:
        return _record(store=store, clock=clock, results=[(item, send(item)) for item in claimed], rng=rng)
    # Record outcomes in chunks as they arrive, so the database work overlaps the sends still in flight.
    total = DeliveryRound()
    futures = {executor.submit(send, item): item for item in claimed}
    arrived: list[tuple[_Claimed, SendResult]] = []
    for future in as_completed(futures):
        arrived.append((futures[future], future.result()))
        if len(arrived) >= RECORD_CHUNK:
            total.add(_record(store=store, clock=clock, results=arrived, rng=rng))
            arrived = []
    if arrived:
        total.add(_record(store=store, clock=clock, results=arrived, rng=rng))
    return total


def _send(claimed: _Claimed, *, clock: Clock, sender: Sender, allowed_hosts: frozenset[str]) -> SendResult:
    try:
        check_webhook_url(claimed.url, allowed_hosts)
    except UnsafeWebhookUrl as error:
        return SendResult(None, f"not sent: {error}", 0.0)
    headers = signed_headers(secrets=claimed.secrets, message_id=claimed.message_id, timestamp=clock.now(),
                             body=claimed.body)
    return sender.post(claimed.url, headers=headers, body=claimed.body.encode("utf-8"))


def _claim_due(*, store: Store, clock: Clock, batch_size: int) -> list[_Claimed]:
    now = clock.now()
    with store.transaction() as session:
        query = (
            select(WebhookMessage)
            .join(Agency, Agency.id == WebhookMessage.agency_id)
            .where(WebhookMessage.status == DeliveryStatus.PENDING, WebhookMessage.next_attempt_at <= now,
                   Agency.webhook_disabled_at.is_(None))
            .order_by(WebhookMessage.next_attempt_at)
            .limit(batch_size)
        )
        if store.is_postgresql:
            query = query.with_for_update(skip_locked=True, of=WebhookMessage)
        claimed = []
        for message in session.scalars(query).unique():
            agency = message.agency
            message.next_attempt_at = now + timedelta(seconds=CLAIM_LEASE_S)
            secrets = secrets_in_force(current=agency.webhook_secret, previous=agency.previous_webhook_secret,
                                       previous_expires_at=agency.previous_secret_expires_at, now=now)
            if not agency.webhook_url or not secrets:
                continue
            claimed.append(_Claimed(message.id, agency.webhook_url, tuple(secrets), message.body, message.attempts + 1,
                                    message.attempt_limit or MAX_DELIVERY_ATTEMPTS))
        return claimed


def _record(*, store: Store, clock: Clock, results: list[tuple[_Claimed, SendResult]], rng: random.Random
            ) -> DeliveryRound:
    """Record the outcomes of sends in one transaction. The common outcomes (delivered, retry) are
    written with two bulk statements; the rare ones (410 Gone, dead letter) go through the ORM."""
    now = clock.now()
    round_ = DeliveryRound()
    logged = []
    with store.transaction() as session:
        query = (
            select(WebhookMessage.id, WebhookMessage.status, WebhookMessage.attempts, WebhookMessage.task_id,
                   WebhookMessage.event_type, Agency.code)
            .join(Agency, Agency.id == WebhookMessage.agency_id)
            .where(WebhookMessage.id.in_([claimed.message_id for claimed, _ in results]))
        )
        if store.is_postgresql:
            query = query.order_by(WebhookMessage.id).with_for_update(of=WebhookMessage)
        current = {row.id: row for row in session.execute(query)}
        attempt_rows, message_rows = [], []
        for claimed, outcome in results:
            row = current.get(claimed.message_id)
            if row is None or row.status is not DeliveryStatus.PENDING or row.attempts >= claimed.attempt:
                continue  # another worker recorded this attempt after our lease ran out
            if outcome.delivered:
                status = DeliveryStatus.DELIVERED
                attempt_rows.append(_attempt_row(claimed, outcome, now))
                message_rows.append({"id": claimed.message_id, "attempts": claimed.attempt, "status": status,
                                     "delivered_at": now, "last_error": "", "next_attempt_at": now})
                if row.task_id is not None and row.event_type == "task.created":
                    _mark_task_delivered(session, row.task_id, claimed.message_id, row.code, now)
            elif not outcome.gone and claimed.attempt < claimed.attempt_limit:
                status = DeliveryStatus.PENDING
                delay = next_delay_s(claimed.attempt, rng, retry_after=retry_after_s(outcome.retry_after, now))
                attempt_rows.append(_attempt_row(claimed, outcome, now))
                message_rows.append({"id": claimed.message_id, "attempts": claimed.attempt, "status": status,
                                     "delivered_at": None, "last_error": outcome.error,
                                     "next_attempt_at": now + timedelta(seconds=delay)})
            else:
                message = session.get(WebhookMessage, claimed.message_id)
                status = _record_one(session, message, claimed, outcome, now, rng)
            round_.message_ids.append(claimed.message_id)
            if status is DeliveryStatus.DELIVERED:
                round_.delivered += 1
            elif status is DeliveryStatus.DEAD:
                round_.dead += 1
            else:
                round_.retrying += 1
            logged.append((claimed, outcome, status))
        if attempt_rows:
            session.execute(insert(DeliveryAttempt), attempt_rows)
            session.execute(update(WebhookMessage), message_rows)
    for claimed, outcome, status in logged:
        metrics.DELIVERIES.labels(outcome="delivered" if outcome.delivered else
                                  ("dead" if status is DeliveryStatus.DEAD else "retry")).inc()
        log.info("webhook.attempt", webhook_id=claimed.message_id, attempt=claimed.attempt,
                 status_code=outcome.status_code, outcome=status.value, latency_ms=round(outcome.latency_ms, 1))
    return round_


def _attempt_row(claimed: _Claimed, outcome: SendResult, now: datetime) -> dict:
    return {"id": uuid.uuid4(), "message_id": claimed.message_id, "attempt": claimed.attempt, "attempted_at": now,
            "latency_ms": outcome.latency_ms, "status_code": outcome.status_code, "error": outcome.error,
            "outcome": "delivered" if outcome.delivered else ("gone" if outcome.gone else "failed")}


def _record_one(session: Session, message: WebhookMessage, claimed: _Claimed, outcome: SendResult, now: datetime,
                rng: random.Random) -> DeliveryStatus:
    """The rare outcomes: 410 Gone and the last failed attempt."""
    message.attempts = claimed.attempt
    message.last_error = outcome.error
    session.add(DeliveryAttempt(**_attempt_row(claimed, outcome, now)))
    if outcome.gone:
        _disable_endpoint(session, message, now)
    else:
        message.status = DeliveryStatus.DEAD
        _dead_letter(session, message, claimed.attempt, outcome, now)
    return message.status


def _incident_of(session: Session, message: WebhookMessage):
    task = session.get(Task, message.task_id) if message.task_id else None
    return task.incident_id if task else None


def _dead_letter(session: Session, message: WebhookMessage, attempts: int, outcome: SendResult, now: datetime) -> None:
    incident_id = _incident_of(session, message)
    data = {"webhook_id": message.id, "agency": message.agency.code, "attempts": attempts}
    audit.record(
        session, at=now, kind="webhook.dead_lettered", actor="engine",
        summary=f"{message.event_type} to {message.agency.code} failed {attempts} times ({outcome.error}); "
        "waiting for a duty officer to replay it",
        incident_id=incident_id, data=data,
    )
    raise_officer_alert(session, at=now, kind="webhook.dead_letter", incident_id=incident_id, data=data,
                        summary=f"{message.event_type} to {message.agency.code} could not be delivered; "
                        f"replay it (webhook {message.id}) once the agency is reachable")


def _disable_endpoint(session: Session, message: WebhookMessage, now: datetime) -> None:
    agency = message.agency
    if agency.webhook_disabled_at is None:
        agency.webhook_disabled_at = now
        agency.updated_at = now
        raise_officer_alert(
            session, at=now, kind="webhook.gone", incident_id=_incident_of(session, message),
            summary=f"{agency.code}'s webhook endpoint answered 410 Gone and is disabled; its messages are held "
            "until an administrator re-enables it (with a new URL if it moved)",
            data={"agency": agency.code, "webhook_url": agency.webhook_url, "webhook_id": message.id},
        )
    # The message that met the 410 is held with the others and goes out when the endpoint returns.
    message.next_attempt_at = now
    message.attempt_limit = message.attempts + MAX_DELIVERY_ATTEMPTS


def _mark_task_delivered(session: Session, task_id: uuid.UUID, message_id: str, agency_code: str, now: datetime
                         ) -> None:
    task = session.get(Task, task_id)
    if task is not None and task.status is TaskStatus.QUEUED and TaskStatus.DELIVERED in TASK_MOVES[task.status]:
        task.status = TaskStatus.DELIVERED
        task.delivered_at = now
        task.updated_at = now
        audit.record(session, at=now, kind="task.delivered", actor="engine",
                     summary=f"task {task.step_id} delivered to {agency_code}",
                     incident_id=task.incident_id, data={"task_id": str(task.id), "webhook_id": message_id})
