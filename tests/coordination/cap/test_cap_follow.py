"""Following a CAP feed, as public alerting feeds publish them: an Atom (or RSS) index served by a
real HTTP server on 127.0.0.1, polled with conditional requests; each alert received once, across
polls and restarts."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import func, select

from coordination.cap import default_mapping
from coordination.cap.following import FeedOptions, FeedUnavailable, poll_feed
from coordination.store.tables import CapAlertRecord, Incident, TimelineEntry
from tests.conftest import shared_file
from tests.coordination.cap.test_cap_intake import flood_alert

pytestmark = pytest.mark.database


class FeedServer:
    """Serves `files` (path -> bytes) with an ETag each, answering 304 to a matching If-None-Match;
    keeps every request it was sent."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        """path -> Location answered with 301 (a feed that moved)."""
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append((self.path, dict(self.headers)))
                if self.path in server.redirects:
                    self.send_response(301)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = server.files.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Wed, 01 Jul 2026 03:30:00 GMT")
                self.send_header("Content-Type", "application/atom+xml" if self.path.endswith("atom") else "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed():
    server = FeedServer()
    yield server
    server.close()


def atom(base: str, *identifiers: str) -> bytes:
    entries = "".join(f"""
  <entry>
    <id>{base}/alerts/{identifier}.xml</id><title>Flash flood: {identifier}</title>
    <updated>2026-07-01T09:00:00+05:30</updated>
    <link rel="alternate" type="application/cap+xml" href="/alerts/{identifier}.xml"/>
  </entry>""" for identifier in identifiers)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>{base}/cap.atom</id><title>State emergency operations centre: CAP alerts</title>
  <updated>2026-07-01T09:00:00+05:30</updated>{entries}
</feed>""".encode("utf-8")


def rss(base: str, *identifiers: str) -> bytes:
    items = "".join(f"<item><title>{identifier}</title><link>{base}/alerts/{identifier}.xml</link>"
                    f"<guid>{identifier}</guid><pubDate>Wed, 01 Jul 2026 03:30:00 GMT</pubDate></item>"
                    for identifier in identifiers)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Alerts</title>'
            f"<link>{base}/</link><description>CAP alerts</description>{items}</channel></rss>").encode("utf-8")


def poll(store, clock, url: str):
    with httpx.Client(timeout=5) as client:
        return poll_feed(store=store, clock=clock, client=client, url=url, options=FeedOptions(default_mapping()))


def records(store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(CapAlertRecord))


def test_a_feed_is_polled_conditionally_and_each_alert_received_once(store, clock, shipped_sops, feed):
    url = f"{feed.base}/cap.atom"
    feed.files["/cap.atom"] = atom(feed.base, "flood-1", "flood-2")
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    feed.files["/alerts/flood-2.xml"] = flood_alert("flood-2", area="Ward 9, Hebbal",
                                                    polygon="13.03,77.58 13.03,77.60 13.05,77.60 13.05,77.58 13.03,77.58")
    first = poll(store, clock, url)
    assert (first.entries, len(first.received), first.refused) == (2, 2, [])
    assert first.received[0].startswith("flood-1: declared incident")
    assert records(store) == 2

    second = poll(store, clock, url)  # unchanged: one conditional request, answered 304
    assert second.not_modified and feed.requests[-1][0] == "/cap.atom"
    assert feed.requests[-1][1].get("If-None-Match")
    assert feed.requests[-1][1].get("If-Modified-Since") == "Wed, 01 Jul 2026 03:30:00 GMT"

    feed.files["/cap.atom"] = atom(feed.base, "flood-1", "flood-2", "flood-3")
    feed.files["/alerts/flood-3.xml"] = flood_alert("flood-3", msg_type="Update", severity="Extreme",
                                                    references="flood-1")
    before = len(feed.requests)
    third = poll(store, clock, url)
    assert feed.paths()[before:] == ["/cap.atom", "/alerts/flood-3.xml"]  # only the new entry's alert
    assert third.received == [third.received[0]] and "updated incident" in third.received[0]
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 2
        actors = set(session.scalars(select(TimelineEntry.actor).where(TimelineEntry.kind == "cap.received")))
        assert actors == {f"alert_source:feed {url}"}


def test_a_restarted_follower_fetches_no_alert_again(store, clock, shipped_sops, feed):
    url = f"{feed.base}/cap.atom"
    feed.files["/cap.atom"] = atom(feed.base, "flood-1")
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    poll(store, clock, url)
    feed.files["/cap.atom"] = atom(feed.base, "flood-1") + b"\n"  # a new ETag, the same entries
    before = len(feed.requests)
    again = poll(store, clock, url)  # a new client and process state: only the database remembers
    assert feed.paths()[before:] == ["/cap.atom"] and again.received == []
    assert records(store) == 1


def test_an_rss_index_of_alerts_is_followed_and_a_refused_alert_is_not_fetched_again(store, clock, shipped_sops,
                                                                                  feed):
    url = f"{feed.base}/cap.rss"
    feed.files["/cap.rss"] = rss(feed.base, "flood-1", "broken")
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    feed.files["/alerts/broken.xml"] = shared_file("cap/invalid.cap").read_bytes()
    first = poll(store, clock, url)
    assert len(first.received) == 1 and "scope" in first.refused[0]
    feed.files["/cap.rss"] += b" "
    before = len(feed.requests)
    poll(store, clock, url)
    assert feed.paths()[before:] == ["/cap.rss"]
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TimelineEntry)
                              .where(TimelineEntry.kind == "cap.refused")) == 1


def test_an_alert_not_fetched_is_tried_again_and_links_elsewhere_are_not_followed(store, clock, shipped_sops, feed):
    url = f"{feed.base}/cap.atom"
    feed.files["/cap.atom"] = atom(feed.base, "flood-1").replace(
        b"</feed>", b"<entry><id>x</id><title>x</title><updated>2026-07-01T09:00:00Z</updated>"
                    b"<link type='application/cap+xml' href='http://169.254.169.254/latest/meta-data'/></entry></feed>")
    first = poll(store, clock, url)  # flood-1.xml is not there yet (404)
    assert first.received == [] and len(first.failed) == 2 and "not on the feed's host" in first.failed[1]
    feed.files["/alerts/flood-1.xml"] = flood_alert("flood-1")
    feed.files["/cap.atom"] += b"\n"
    assert len(poll(store, clock, url).received) == 1


def test_a_feed_that_is_not_one_is_reported(store, clock, feed):
    feed.files["/cap.atom"] = b"<html><body>maintenance</body></html>"
    with pytest.raises(FeedUnavailable, match="not an Atom or RSS feed"):
        poll(store, clock, f"{feed.base}/cap.atom")
    feed.files["/evil.atom"] = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    with pytest.raises(FeedUnavailable, match="DOCTYPE"):
        poll(store, clock, f"{feed.base}/evil.atom")
    with pytest.raises(FeedUnavailable, match="HTTP 404"):
        poll(store, clock, f"{feed.base}/missing.atom")


def test_a_feed_that_moved_is_followed_on_its_host_and_never_to_another(store, clock, shipped_sops, feed):
    feed.redirects["/old/cap.atom"] = "/cap.atom"
    feed.redirects["/alerts/flood-2.xml"] = "http://192.0.2.10/alerts/flood-2.xml"  # TEST-NET: never asked
    feed.files["/cap.atom"] = atom(feed.base, "flood-1", "flood-2")
    feed.redirects["/alerts/flood-1.xml"] = "/archive/flood-1.xml"
    feed.files["/archive/flood-1.xml"] = flood_alert("flood-1")
    polled = poll(store, clock, f"{feed.base}/old/cap.atom")
    assert polled.entries == 2 and len(polled.received) == 1 and polled.received[0].startswith("flood-1:")
    assert polled.failed == [f"{feed.base}/alerts/flood-2.xml: redirected to http://192.0.2.10/alerts/flood-2.xml, "
                             "another host: not followed"]
    feed.redirects["/loop.atom"] = "/loop.atom"
    with pytest.raises(FeedUnavailable, match="more than 5 redirects"):
        poll(store, clock, f"{feed.base}/loop.atom")
