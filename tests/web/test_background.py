"""The server's background jobs: the timeline's head goes to the log, the copy outside the
database that `iccc audit verify --head` compares with."""

from __future__ import annotations

from structlog.testing import capture_logs

from coordination import SYSTEM, audit
from coordination.audit import current_head
from processes.background import (
    HEAD_LOG_INTERVAL_S,
    RETENTION_INTERVAL_S,
    SENSOR_RULES_INTERVAL_S,
    BackgroundJobs,
)
from web.app.config import Settings
from tests.conftest import LOOPBACK


def test_the_timeline_head_is_logged_as_seq_and_hash(store, clock):
    jobs = BackgroundJobs(settings=Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK,
                                            secret_key="test-key"), store=store, clock=clock)
    try:
        with capture_logs() as logged:
            jobs.log_timeline_head()  # an empty timeline has no head: nothing to say
            with store.transaction() as session:
                audit.record(session, at=clock.now(), kind="test.entry", actor=SYSTEM.label, summary="first")
            jobs.log_timeline_head()
        with store.transaction() as session:
            head = current_head(session)
        assert [(entry["event"], entry["head"]) for entry in logged] == [
            ("timeline.head", f"{head.seq}:{head.entry_hash}")]
        assert jobs.interval_s("timeline_head") == HEAD_LOG_INTERVAL_S
    finally:
        jobs.stop()


def test_the_sensor_rules_tick_and_the_readings_retention_are_background_jobs(store, clock):
    jobs = BackgroundJobs(settings=Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK,
                                            secret_key="test-key"), store=store, clock=clock)
    try:
        assert jobs.interval_s("sensor_rules") == SENSOR_RULES_INTERVAL_S
        assert jobs.interval_s("readings_retention") == RETENTION_INTERVAL_S
        with capture_logs() as logged:
            jobs.tick_sensor_rules()  # no rule is stored: nothing to do, nothing raised
            jobs.keep_readings_retention()
        assert [entry for entry in logged if entry["log_level"] == "error"] == []
    finally:
        jobs.stop()
