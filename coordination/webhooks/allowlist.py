"""Webhook URLs may point only at hosts an administrator allowed (no SSRF into the network)."""

from __future__ import annotations

from urllib.parse import urlsplit

from coordination.errors import UnsafeWebhookUrl


def parse_allowed_hosts(text: str) -> frozenset[str]:
    """Read a comma-separated host list, such as `127.0.0.1,localhost,gateway.police.example`."""
    return frozenset(host.strip().lower() for host in text.split(",") if host.strip())


def check_webhook_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise `UnsafeWebhookUrl` unless `url` is http(s) to an allowed host, with no credentials."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise UnsafeWebhookUrl(f"webhook URL is malformed: {error}", field="webhook_url") from error
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookUrl("webhook URL must be http or https", field="webhook_url")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("webhook URL must not carry credentials", field="webhook_url")
    if host not in allowed_hosts:
        raise UnsafeWebhookUrl(
            f"webhook host {host!r} is not on the allowlist (ICCC_WEBHOOK_ALLOWED_HOSTS)", field="webhook_url"
        )
