"""`iccc cap follow URL...`: follow public CAP feeds from the command line (the server follows
those in ICCC_CAP_FEEDS itself, on its background jobs)."""

from __future__ import annotations

import contextlib
import threading
from urllib.parse import urlsplit

import click
import httpx

from coordination import Store
from coordination.cap import default_mapping, load_mapping
from coordination.cap.following import FeedOptions, FeedUnavailable, poll_feed
from web.app.clock import WallClock
from web.app.config import Settings


@contextlib.contextmanager
def _until_interrupted():
    """Ctrl-C ends the loop quietly, between polls or during one (what was received is committed)."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("stopped")


@click.group()
def cap() -> None:
    """CAP alerts: follow the feeds that publish them."""


def _checked_url(_context, _parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname:
            raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return values


@cap.command("follow")
@click.argument("urls", nargs=-1, required=True, metavar="URL...", callback=_checked_url)
@click.option("--interval", type=click.FloatRange(min=5), default=60.0, show_default=True,
              help="Seconds between polls of each feed.")
@click.option("--once", is_flag=True, help="Poll each feed once and stop (exit 1 if one could not be read).")
def cap_follow(urls: tuple[str, ...], interval: float, once: bool) -> None:
    """Poll the Atom or RSS index at each URL for CAP alerts, with conditional requests, and receive
    every alert not received before, as if it had been posted to /api/v1/alerts/cap. Alerts already
    received (by any follower, before any restart) are never fetched again. Ctrl-C stops."""
    settings = Settings.from_environment()
    store = Store(settings.database_url)
    options = FeedOptions(
        mapping=load_mapping(settings.cap_mapping_path) if settings.cap_mapping_path else default_mapping(),
        duplicates=settings.duplicates, trust=settings.cap_trust, places=settings.cap_places)
    stop = threading.Event()
    failed = False
    with httpx.Client(timeout=30, follow_redirects=False) as client, _until_interrupted():
        while not stop.is_set():
            for url in urls:
                try:
                    poll = poll_feed(store=store, clock=WallClock(), client=client, url=url, options=options)
                except FeedUnavailable as error:
                    failed = True
                    click.echo(f"Error: {error}", err=True)
                    continue
                click.echo(poll.summary())
                for line in (*poll.received, *(f"refused: {reason}" for reason in poll.refused),
                             *(f"not fetched: {reason}" for reason in poll.failed)):
                    click.echo(f"  {line}")
            if once:
                break
            stop.wait(interval)
    if once and failed:
        raise SystemExit(1)
