"""The coordination service's errors. Each family maps to one HTTP status, in `web` alone."""

from __future__ import annotations

from sop_engine import IcccError


class CoordinationError(IcccError):
    """Root of the service's deliberate errors."""


class NotFound(CoordinationError):
    """The thing does not exist, or the caller may not know that it does."""


class Unauthenticated(CoordinationError):
    """No credentials, or credentials that are unknown, revoked or expired."""


class Forbidden(CoordinationError):
    """The caller is known but its role may not do this."""


class InvalidInput(CoordinationError):
    """A value is wrong; `field` names it (dotted path) so a form or client can point at it."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class RecordedRefusal(InvalidInput):
    """Input refused whose refusal was itself recorded in the caller's transaction (a forged CAP
    alert on the timeline): the caller commits that record before reporting the error. Raised
    before the transaction wrote anything else, so nothing else is kept."""


class Conflict(CoordinationError):
    """The request is valid but clashes with the current state."""


class InvalidTransition(Conflict):
    """A state change that the transition table does not allow; says where from and where to."""

    def __init__(self, what: str, current: str, requested: str):
        super().__init__(f"{what}: cannot go from {current} to {requested}")
        self.current = current
        self.requested = requested


class UnsafeWebhookUrl(InvalidInput):
    """A webhook URL whose host is not on the allowlist, or that is not http(s)."""


class TooManyAttempts(CoordinationError):
    """Too many failed sign-ins for this name or address; try again after `retry_after_s`."""

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s
