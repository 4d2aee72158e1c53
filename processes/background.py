"""The server's background jobs, driven by APScheduler: fire due deadlines (SOP timers and
dispatch orders' deadlines), deliver webhooks, publish device commands, follow the configured
CAP feeds."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from coordination import (
    Clock,
    HttpSender,
    Store,
    alert_missed_order_deadlines,
    deliver_due_messages,
    fire_due_timers,
)
from coordination.audit import current_head
from coordination.cap import default_mapping, load_mapping
from coordination.cap.following import FeedOptions, poll_feed
from coordination.device_publisher import CommandPublisher
from coordination.intake.upkeep import downsample_readings, tick_sensor_rules
from web.app.config import Settings

log = structlog.get_logger(__name__)

DELIVERY_BATCH = 200
MAX_ROUNDS_PER_TICK = 20  # a backlog of 4,000 messages drains in one tick; the timers job is not starved
HEAD_LOG_INTERVAL_S = 900
"""How often the timeline's head goes to the log: the copy outside the database that shows a
removal of the newest entries (`iccc audit verify --head SEQ:HASH`)."""
SENSOR_RULES_INTERVAL_S = 15.0
"""How often time passes for the sensor rules: a stale sensor is noticed within this of its
k-th missed interval (intervals are minutes), and an expired correlation window is closed."""
RETENTION_INTERVAL_S = 600.0


class BackgroundJobs:
    """Ticks about once a second. Everything due lives in database columns, so a restarted
    server picks up where the last one stopped, and a missed tick is simply caught up."""

    def __init__(self, *, settings: Settings, store: Store, clock: Clock):
        self._settings = settings
        self._store = store
        self._clock = clock
        self._sender = HttpSender(max_connections=max(1, settings.delivery_workers))
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.delivery_workers), thread_name_prefix="delivery")
        self._rng = random.Random()
        self._scheduler = BackgroundScheduler(timezone="UTC")
        # Connects to the broker (ICCC_MQTT_*) only once a command is queued.
        self._device_publisher = CommandPublisher(store=store, clock=clock, broker=settings.broker)
        for name, job in (("timers", self.fire_timers), ("deliveries", self.deliver),
                          ("device_commands", self.publish_device_commands)):
            self._scheduler.add_job(job, "interval", seconds=settings.tick_interval_s, id=name,
                                    max_instances=1, coalesce=True)
        if settings.cap_feeds:
            self._feed_client = httpx.Client(timeout=30, follow_redirects=False)
            self._scheduler.add_job(self.follow_cap_feeds, "interval", seconds=settings.cap_feed_interval_s,
                                    id="cap_feeds", max_instances=1, coalesce=True)
        self._scheduler.add_job(self.tick_sensor_rules, "interval", seconds=SENSOR_RULES_INTERVAL_S,
                                id="sensor_rules", max_instances=1, coalesce=True)
        self._scheduler.add_job(self.keep_readings_retention, "interval", seconds=RETENTION_INTERVAL_S,
                                id="readings_retention", max_instances=1, coalesce=True)
        self._scheduler.add_job(self.log_timeline_head, "interval", seconds=HEAD_LOG_INTERVAL_S, id="timeline_head",
                                max_instances=1, coalesce=True)

    def fire_timers(self) -> None:
        try:
            fire_due_timers(store=self._store, clock=self._clock)
            alert_missed_order_deadlines(store=self._store, clock=self._clock)
        except Exception:  # the scheduler must keep ticking through a database hiccup
            log.exception("timers.tick_failed")

    def publish_device_commands(self) -> None:
        try:
            done = self._device_publisher.publish_due()
            if done.sent or done.overdue:
                log.info("devices.published", sent=len(done.sent), overdue=len(done.overdue))
        except Exception:
            log.exception("device_commands.tick_failed")

    def follow_cap_feeds(self) -> None:
        """Poll each configured CAP feed once; one failing feed does not hold up the others."""
        settings = self._settings
        options = FeedOptions(
            mapping=load_mapping(settings.cap_mapping_path) if settings.cap_mapping_path else default_mapping(),
            duplicates=settings.duplicates, trust=settings.cap_trust, places=settings.cap_places)
        for url in settings.cap_feeds:
            try:
                poll = poll_feed(store=self._store, clock=self._clock, client=self._feed_client, url=url,
                                 options=options)
                log.info("cap_feed.polled", url=url, summary=poll.summary())
            except Exception:
                log.exception("cap_feed.failed", url=url)

    def tick_sensor_rules(self) -> None:
        try:
            tick_sensor_rules(store=self._store, clock=self._clock, duplicates=self._settings.duplicates)
        except Exception:
            log.exception("sensor_rules.tick_failed")

    def keep_readings_retention(self) -> None:
        try:
            done = downsample_readings(store=self._store, clock=self._clock, retention=self._settings.retention)
            if done.merged or done.removed:
                log.info("readings.retention", downsampled=done.merged, removed=done.removed)
        except Exception:
            log.exception("readings_retention.failed")

    def interval_s(self, job: str) -> float:
        """How often the named job runs (`timers`, `deliveries`, `timeline_head`)."""
        return self._scheduler.get_job(job).trigger.interval.total_seconds()

    def log_timeline_head(self) -> None:
        try:
            with self._store.transaction() as session:
                head = current_head(session)
            if head is not None:
                log.info("timeline.head", head=f"{head.seq}:{head.entry_hash}")
        except Exception:
            log.exception("timeline_head.failed")

    def deliver(self) -> None:
        try:
            # A full round means more may be due: keep going (bounded) rather than wait for the next tick.
            for _ in range(MAX_ROUNDS_PER_TICK):
                done = deliver_due_messages(store=self._store, clock=self._clock, sender=self._sender, rng=self._rng,
                                            allowed_hosts=self._settings.allowed_webhook_hosts, executor=self._pool,
                                            batch_size=DELIVERY_BATCH)
                if done.attempted < DELIVERY_BATCH:
                    break
        except Exception:
            log.exception("deliveries.tick_failed")

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        """Stop ticking (if started) and release the delivery threads and connections."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._pool.shutdown(wait=True)
        self._sender.close()
        self._device_publisher.close()
        if self._settings.cap_feeds:
            self._feed_client.close()
