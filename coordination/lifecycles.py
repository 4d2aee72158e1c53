"""Every status the service keeps, and the one table of legal moves for each.

A status changes only through `require_move`, so an illegal move always says where from and
where to, whichever service attempted it.
"""

from __future__ import annotations

from enum import Enum

from coordination.errors import InvalidTransition


class TaskStatus(str, Enum):
    QUEUED = "queued"
    """Created; the webhook to the agency is in the outbox."""
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self not in (TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED)


OPEN_TASK_STATUSES = tuple(status for status in TaskStatus if status.is_open)
"""For queries: the statuses of a task still being worked."""


# An agency may answer before its webhook is confirmed delivered (it can list its tasks through
# the API), and may complete a short task without acknowledging it first: completion implies
# acknowledgement. Progress, though, is only reported on work the agency has taken on.
TASK_MOVES: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.QUEUED: frozenset(
        {TaskStatus.DELIVERED, TaskStatus.ACKNOWLEDGED, TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED}
    ),
    TaskStatus.DELIVERED: frozenset(
        {TaskStatus.ACKNOWLEDGED, TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED}
    ),
    TaskStatus.ACKNOWLEDGED: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED}
    ),
    TaskStatus.IN_PROGRESS: frozenset(
        {TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED}
    ),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.REJECTED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


class IncidentStatus(str, Enum):
    OPEN = "open"
    RESOLVED = "resolved"
    """Its SOP run completed every step."""
    CLOSED = "closed"
    """Stood down or closed by a duty officer."""


INCIDENT_MOVES: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED, IncidentStatus.OPEN}),
    IncidentStatus.CLOSED: frozenset(),
}


class DeliveryStatus(str, Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    """Every attempt failed; waits for a duty officer to replay it."""


class DutyRequestKind(str, Enum):
    DECISION = "decision"
    PUBLIC_NOTICE = "public_notice"


class DutyRequestStatus(str, Enum):
    OPEN = "open"
    ANSWERED = "answered"
    CANCELLED = "cancelled"
    """The run ended (stood down, or an end step) before anyone answered."""


NOTICE_APPROVE = "approve"
NOTICE_WITHHOLD = "withhold"


class TimerStatus(str, Enum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"


class DeviceCommandStatus(str, Enum):
    QUEUED = "queued"
    """Written with the event that issued it; the publisher has not had the broker's PUBACK yet."""
    SENT = "sent"
    """The broker acknowledged it (QoS 1); waiting for the device to confirm."""
    CONFIRMED = "confirmed"
    FAILED = "failed"
    """The device answered that it could not do it."""
    OVERDUE = "overdue"
    """Not confirmed by its deadline (a command still queued then is never published: its step's
    ladder has taken over, and a siren sounded an hour late does harm)."""

    @property
    def is_answered(self) -> bool:
        return self in (DeviceCommandStatus.CONFIRMED, DeviceCommandStatus.FAILED)


UNANSWERED_COMMAND_STATUSES = (DeviceCommandStatus.QUEUED, DeviceCommandStatus.SENT, DeviceCommandStatus.OVERDUE)

# A device may confirm before the publisher has recorded the broker's PUBACK (the two race), and
# an answer after the deadline is still recorded: the officer learns the sign did change.
COMMAND_MOVES: dict[DeviceCommandStatus, frozenset[DeviceCommandStatus]] = {
    DeviceCommandStatus.QUEUED: frozenset({DeviceCommandStatus.SENT, DeviceCommandStatus.CONFIRMED,
                                           DeviceCommandStatus.FAILED, DeviceCommandStatus.OVERDUE}),
    DeviceCommandStatus.SENT: frozenset({DeviceCommandStatus.CONFIRMED, DeviceCommandStatus.FAILED,
                                         DeviceCommandStatus.OVERDUE}),
    DeviceCommandStatus.OVERDUE: frozenset({DeviceCommandStatus.CONFIRMED, DeviceCommandStatus.FAILED}),
    DeviceCommandStatus.CONFIRMED: frozenset(),
    DeviceCommandStatus.FAILED: frozenset(),
}


def require_move(what: str, current: Enum, requested: Enum, moves: dict) -> None:
    """Raise `InvalidTransition` unless `moves` allows `current` -> `requested`."""
    if requested not in moves[current]:
        raise InvalidTransition(what, current.value, requested.value)
