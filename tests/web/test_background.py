"""The server's background jobs: the timeline's head goes to the log, the copy outside the
database that `iccc audit verify --head` compares with."""

from __future__ import annotations

from structlog.testing import capture_logs

from coordination import SYSTEM, audit
from coordination.audit import current_head
from processes.background import HEAD_LOG_INTERVAL_S, BackgroundJobs
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
