"""Sending one signed request. The delivery worker takes a sender, so drills can simulate one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import httpx

CONNECT_TIMEOUT_S = 3.0  # an agency gateway that cannot accept a connection in 3 s is down
READ_TIMEOUT_S = 10.0  # long enough for a slow gateway to queue the task, short enough to keep the worker moving
POOL_CONNECTIONS = 32  # keep-alive connections shared by the delivery threads


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    """None when no response came (refused, timed out, reset)."""
    error: str
    latency_ms: float
    retry_after: str | None = None
    """The response's `Retry-After` header, as sent (seconds or an HTTP date)."""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        """`410 Gone`: the agency has retired this endpoint; retrying would be pointless."""
        return self.status_code == 410


class Sender(Protocol):
    def post(self, url: str, *, headers: dict[str, str], body: bytes) -> SendResult: ...


class HttpSender:
    """Posts with one pooled httpx client (safe to share between threads): bounded timeouts,
    keep-alive connections, redirects never followed (they could lead off the allowlist)."""

    def __init__(self, *, max_connections: int = POOL_CONNECTIONS, connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            follow_redirects=False,
            headers={"user-agent": "iccc-coordination-webhooks/1"},
            trust_env=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    def post(self, url: str, *, headers: dict[str, str], body: bytes) -> SendResult:
        # perf_counter measures an interval for the delivery log; it is not the domain clock.
        started = time.perf_counter()
        try:
            response = self._client.post(url, headers=headers, content=body)
        except httpx.HTTPError as error:
            return SendResult(None, f"{type(error).__name__}: {error}"[:500], _ms_since(started))
        error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        if 300 <= response.status_code < 400:
            error += " (redirects are not followed)"
        return SendResult(response.status_code, error, _ms_since(started), response.headers.get("retry-after"))

    def close(self) -> None:
        self._client.close()


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
