"""Following a public CAP feed (pull, beside the API's push): poll its Atom or RSS index with a
conditional request (If-None-Match / If-Modified-Since, so an unchanged index costs a 304), fetch
each alert an entry links to that was not received before, and receive it as a posted alert is
(unwrapped, checked, recorded or refused). Entries received are kept in the database, so no alert
is fetched or acted on twice, across restarts and whichever process polls.

Only links on the feed's own host are followed: an index is third-party text, and a link elsewhere
(an internal address) must not make the centre fetch it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from coordination.cap.feed_index import MAX_INDEX_BYTES, InvalidFeedIndex, read_index
from coordination.cap.intake import CapPlaces, receive_cap_message
from coordination.cap.mapping import CapMapping
from coordination.cap.parsing import MAX_ALERT_BYTES
from coordination.cap.signatures import CapTrust
from coordination.clock import Clock
from coordination.duplicates import DuplicatePolicy
from coordination.errors import InvalidInput, RecordedRefusal
from coordination.principals import Principal, Role
from coordination.store import Store
from coordination.store.tables import CapFeed, CapFeedEntry

ACCEPT_INDEX = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
ACCEPT_ALERT = "application/cap+xml, application/xml;q=0.9, */*;q=0.1"



class FeedUnavailable(InvalidInput):
    """The feed's index could not be fetched or read (the next poll tries again)."""


@dataclass(frozen=True)
class FeedOptions:
    """How received alerts are judged: the same settings as the API's."""

    mapping: CapMapping
    duplicates: DuplicatePolicy = DuplicatePolicy()
    trust: CapTrust = CapTrust()
    places: CapPlaces = CapPlaces()


@dataclass
class FeedPoll:
    url: str
    not_modified: bool = False
    entries: int = 0
    received: list[str] = field(default_factory=list)
    """One line per alert received: its identifier and what the engine did."""
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Entries whose alert could not be fetched: tried again next poll."""

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.url}: not modified"
        return (f"{self.url}: {self.entries} entries, {len(self.received)} alerts received, {len(self.refused)} refused, "
                f"{len(self.failed)} not fetched")


def feed_principal(url: str) -> Principal:
    """Who a followed feed's alerts are received as, on the timeline."""
    return Principal(token_id=None, name=f"feed {url}"[:200], role=Role.ALERT_SOURCE)


def poll_feed(*, store: Store, clock: Clock, client: httpx.Client, url: str, options: FeedOptions) -> FeedPoll:
    """Poll one feed once.

    Raises:
        FeedUnavailable: the index did not answer 200 or 304, or is not a feed.
    """
    poll = FeedPoll(url)
    with store.transaction() as session:
        feed = session.get(CapFeed, url)
        headers = {"Accept": ACCEPT_INDEX}
        if feed is not None and feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed is not None and feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
    status, body, response_headers = _get(client, url, headers, MAX_INDEX_BYTES)
    if status == 304:
        poll.not_modified = True
        _remember(store, clock, url, etag=None, last_modified=None, keep=True)
        return poll
    if status != 200:
        raise FeedUnavailable(f"{url}: the feed answered HTTP {status}", field="feed")
    try:
        entries = read_index(body, url=url)
    except InvalidFeedIndex as error:
        raise FeedUnavailable(str(error), field="feed") from None
    poll.entries = len(entries)
    actor = feed_principal(url)
    for entry in entries:
        with store.transaction() as session:
            if session.get(CapFeedEntry, entry.key) is not None:
                continue
        if not _same_host(url, entry.link):
            poll.failed.append(f"{entry.link}: not on the feed's host, not followed")
            continue
        try:
            status, alert, _headers = _get(client, entry.link, {"Accept": ACCEPT_ALERT}, MAX_ALERT_BYTES)
        except FeedUnavailable as error:
            poll.failed.append(str(error))
            continue
        if status != 200:
            poll.failed.append(f"{entry.link}: HTTP {status}")
            continue
        with store.transaction() as session:
            try:
                message = receive_cap_message(session=session, clock=clock, data=alert, mapping=options.mapping,
                                              actor=actor, duplicates=options.duplicates, trust=options.trust,
                                              places=options.places)
                poll.received += [f"{receipt.alert.identifier}: {receipt.detail}" for receipt in message.receipts]
                poll.refused += [refusal.reason for refusal in message.refusals]
            except RecordedRefusal as refusal:  # on the timeline already; keep that, and the entry as seen
                poll.refused.append(f"{entry.link}: {refusal}")
            session.add(CapFeedEntry(key=entry.key, feed_url=url, entry_id=entry.entry_id, seen_at=clock.now()))
    # Remembered last: a poll cut short re-reads the index, and skips the entries already received.
    _remember(store, clock, url, etag=response_headers.get("etag"),
              last_modified=response_headers.get("last-modified"), keep=False)
    return poll


def _remember(store: Store, clock: Clock, url: str, *, etag: str | None, last_modified: str | None,
              keep: bool) -> None:
    with store.transaction() as session:
        feed = session.get(CapFeed, url) or CapFeed(url=url)
        if not keep:
            feed.etag, feed.last_modified = (etag or None), (last_modified or None)
        feed.checked_at = clock.now()
        session.add(feed)


def _same_host(feed_url: str, link: str, *, allow_https: bool = False) -> bool:
    """Whether `link` is on the feed's host and port (`allow_https`: or the same host moved to https)."""
    feed, target = urlsplit(feed_url), urlsplit(link)
    if target.scheme not in ("http", "https") or target.hostname != feed.hostname:
        return False
    upgraded = allow_https and feed.scheme == "http" and target.scheme == "https" and target.port in (None, 443)
    return target.port == feed.port or upgraded


MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _get(client: httpx.Client, url: str, headers: dict[str, str], limit: int) -> tuple[int, bytes, httpx.Headers]:
    """(status, body up to `limit` bytes, headers); a body beyond the limit or a network failure raises.

    Redirects are followed (feeds move from http to https, or to a new path) as far as
    MAX_REDIRECTS, but only on the host first asked: the client itself follows none, so that a
    feed can never send the centre's server to an address of someone else's choosing.
    """
    target = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with client.stream("GET", target, headers=headers) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    following = urljoin(target, response.headers["location"])
                    if not _same_host(url, following, allow_https=True):
                        raise FeedUnavailable(f"{url}: redirected to {following}, another host: not followed",
                                              field="feed")
                    target = following
                    continue
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FeedUnavailable(f"{url}: larger than {limit} bytes", field="feed")
                return response.status_code, bytes(body), response.headers
        except httpx.HTTPError as error:
            raise FeedUnavailable(f"{url}: {error.__class__.__name__}: {error}", field="feed") from None
    raise FeedUnavailable(f"{url}: more than {MAX_REDIRECTS} redirects", field="feed")

