"""Reading agency tasks and the delivery log of the webhooks about them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.lifecycles import TaskStatus
from coordination.store.tables import DeliveryAttempt, Task, WebhookMessage

@dataclass(frozen=True)
class Delivery:
    """One webhook message and every attempt to deliver it, oldest first."""

    message: WebhookMessage
    attempts: list[DeliveryAttempt]


def tasks_query(*, agency_id: uuid.UUID | None = None, status: TaskStatus | None = None) -> Select:
    """Tasks, newest first; `agency_id` keeps one agency's, `status` those in it."""
    query = select(Task).order_by(Task.created_at.desc(), Task.id)
    if agency_id is not None:
        query = query.where(Task.agency_id == agency_id)
    if status is not None:
        query = query.where(Task.status == status)
    return query


def deliveries_of_task(session: Session, task_id: uuid.UUID) -> list[Delivery]:
    """Every webhook message about the task, oldest first, each with its attempts."""
    return deliveries_by_task(session, [task_id]).get(task_id, [])


def deliveries_by_task(session: Session, task_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Delivery]]:
    """The webhook messages about each task (oldest first), each with its attempts, by task id."""
    if not task_ids:
        return {}
    messages = session.scalars(select(WebhookMessage).where(WebhookMessage.task_id.in_(task_ids))
                               .order_by(WebhookMessage.created_at, WebhookMessage.id)).unique().all()
    attempts: dict[uuid.UUID, list[DeliveryAttempt]] = defaultdict(list)
    if messages:
        for attempt in session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(
                [message.id for message in messages])).order_by(DeliveryAttempt.attempt)):
            attempts[attempt.message_id].append(attempt)
    found: dict[uuid.UUID, list[Delivery]] = defaultdict(list)
    for message in messages:
        found[message.task_id].append(Delivery(message, attempts[message.id]))
    return dict(found)
