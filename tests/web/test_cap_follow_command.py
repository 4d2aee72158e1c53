"""Following CAP feeds from the command line (`iccc cap follow URL --once`) and from the server's
background jobs (ICCC_CAP_FEEDS), against a feed served on 127.0.0.1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from coordination import InvalidInput
from coordination.store.tables import CapAlertRecord
from processes.background import BackgroundJobs
from processes.cli import main
from tests.conftest import LOOPBACK
from tests.coordination.cap.test_cap_follow import atom, feed  # noqa: F401 - the feed server fixture
from tests.coordination.cap.test_cap_intake import flood_alert
from web.app.config import Settings

pytestmark = pytest.mark.database


def records(store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(CapAlertRecord))


def test_iccc_cap_follow_once_receives_the_feeds_alerts_and_says_what_it_did(store, shipped_sops, feed,
                                                                             monkeypatch):
    feed.files["/cap.atom"] = atom(feed.base, "flood-1")
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    monkeypatch.setenv("ICCC_DATABASE_URL", str(store.url))
    url = f"{feed.base}/cap.atom"
    result = CliRunner().invoke(main, ["cap", "follow", url, "--once"])
    assert result.exit_code == 0, result.output
    assert f"{url}: 1 entries, 1 alerts received, 0 refused, 0 not fetched" in result.output
    assert "  flood-1: declared incident" in result.output
    again = CliRunner().invoke(main, ["cap", "follow", url, "--once"])
    assert f"{url}: not modified" in again.output and records(store) == 1
    missing = CliRunner().invoke(main, ["cap", "follow", f"{feed.base}/gone.atom", "--once"])
    assert missing.exit_code == 1 and "gone.atom: the feed answered HTTP 404" in missing.output
    assert CliRunner().invoke(main, ["cap", "follow", "file:///etc/passwd", "--once"]).exit_code == 2


def test_the_server_follows_the_configured_feeds_on_its_background_jobs(store, clock, shipped_sops, feed):
    feed.files["/cap.atom"] = atom(feed.base, "flood-1")
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    settings = Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK, secret_key="k",
                        cap_feeds=(f"{feed.base}/cap.atom",), cap_feed_interval_s=30)
    jobs = BackgroundJobs(settings=settings, store=store, clock=clock)
    try:
        assert jobs.interval_s("cap_feeds") == 30
        jobs.follow_cap_feeds()
        assert records(store) == 1
    finally:
        jobs.stop()


def test_the_feeds_setting_is_read_and_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("ICCC_CAP_FEEDS", "https://alerts.example/cap.atom, http://127.0.0.1:8081/rss")
    assert Settings.from_environment(data_dir=tmp_path).cap_feeds == ("https://alerts.example/cap.atom",
                                                                      "http://127.0.0.1:8081/rss")
    monkeypatch.setenv("ICCC_CAP_FEEDS", "alerts.example/cap.atom")
    with pytest.raises(InvalidInput) as caught:
        Settings.from_environment(data_dir=tmp_path)
    assert caught.value.field == "ICCC_CAP_FEEDS"
