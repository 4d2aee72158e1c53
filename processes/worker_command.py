"""`iccc worker`: the deadline and delivery jobs without the web server.

Run as many as needed beside `iccc serve --no-background` (on PostgreSQL): they coordinate only
through the database (a conditional claim per timer, leases with SKIP LOCKED per message), so a
worker killed at any instant loses nothing and repeats nothing.
"""

from __future__ import annotations

import signal
import threading

import click

from coordination import Store, is_current
from processes.background import BackgroundJobs
from web.app.clock import WallClock
from web.app.config import Settings


@click.command()
@click.option("--exit-after", type=click.FloatRange(min=0.1), default=None, help="Stop after this many seconds.")
def worker(exit_after: float | None) -> None:
    """Fire due deadlines and deliver webhooks until stopped (SIGINT or SIGTERM).

    The database comes from ICCC_DATABASE_URL; its schema must be current.
    """
    settings = Settings.from_environment()
    store = Store(settings.database_url)
    if not is_current(store):
        raise click.ClickException("the database schema is not current: run `iccc db upgrade` first")
    jobs = BackgroundJobs(settings=settings, store=store, clock=WallClock())
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    jobs.start()
    click.echo("worker running", err=True)
    stop.wait(exit_after)
    jobs.stop()
    store.dispose()
