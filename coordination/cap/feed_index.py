"""The Atom or RSS index in which public alerting feeds list their CAP alerts (MeteoAlarm, the NWS,
national CAP aggregators): each entry links to one alert. Read with feedparser, after the same
byte-level refusal of DOCTYPE and entity declarations as an alert, so no entity is ever expanded."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser

from coordination.errors import InvalidInput

CAP_LINK_TYPES = ("application/cap+xml", "application/common-alerting-protocol+xml")
MAX_INDEX_BYTES = 4 * 1024 * 1024  # a national feed lists a few hundred alerts: tens to hundreds of kilobytes


class InvalidFeedIndex(InvalidInput):
    """Not an Atom or RSS feed, or one the engine will not read."""


@dataclass(frozen=True)
class IndexEntry:
    key: str
    """Stable across polls and restarts: the feed, the entry's id (or link) and when it was updated."""
    entry_id: str
    link: str
    """Where the CAP alert is, absolute."""
    title: str


def read_index(data: bytes, *, url: str) -> tuple[IndexEntry, ...]:
    """The entries that link to an alert, in the feed's order.

    Raises:
        InvalidFeedIndex: too large, carrying a DOCTYPE or entity declaration, or not a feed.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise InvalidFeedIndex(f"{url}: the feed is larger than {MAX_INDEX_BYTES} bytes", field="feed")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, flags=re.IGNORECASE):
        raise InvalidFeedIndex(f"{url}: a DOCTYPE or entity declaration is not accepted in a feed", field="feed")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.version:
        problem = getattr(parsed, "bozo_exception", None)
        raise InvalidFeedIndex(f"{url}: not an Atom or RSS feed" + (f" ({problem})" if problem else ""), field="feed")
    entries = []
    for entry in parsed.entries:
        link = _alert_link(entry)
        if not link:
            continue
        link = urljoin(url, link)
        # dict.get: feedparser's own get() maps a missing `updated` to `published` with a warning.
        entry_id = str(dict.get(entry, "id") or link)
        updated = str(dict.get(entry, "updated") or dict.get(entry, "published") or "")
        key = hashlib.sha256("\n".join((url, entry_id, updated)).encode("utf-8")).hexdigest()
        entries.append(IndexEntry(key=key, entry_id=entry_id[:1000], link=link, title=str(entry.get("title", ""))[:500]))
    return tuple(entries)


def _alert_link(entry) -> str:  # noqa: ANN001 - feedparser's FeedParserDict
    """The link typed as CAP (Atom link or RSS enclosure), else the entry's own link."""
    for link in entry.get("links", ()):
        if str(link.get("type", "")).lower() in CAP_LINK_TYPES and link.get("href"):
            return str(link["href"])
    return str(entry.get("link") or "")
