"""Structured logs (JSON lines), with credentials redacted whatever a caller passes."""

from __future__ import annotations

import logging
import re
import sys

import structlog

_SENSITIVE_KEY = re.compile(r"token|secret|password|authorization|cookie|signature", re.IGNORECASE)
_TOKEN_TEXT = re.compile(r"(iccc_[A-Za-z0-9_\-]{20,}|whsec_[A-Za-z0-9+/=]{20,})")


def _redact(_logger, _method, event_dict: dict) -> dict:
    for key, value in list(event_dict.items()):
        if _SENSITIVE_KEY.search(key):
            event_dict[key] = "[redacted]"
        elif isinstance(value, str):
            event_dict[key] = _TOKEN_TEXT.sub("[redacted]", value)
    return event_dict


def configure_logging(level: int = logging.INFO) -> None:
    """Send structlog and standard logging to stderr as JSON lines."""
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
