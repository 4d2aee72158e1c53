"""The timeline: append-only and hash-chained, so an altered, inserted or deleted entry shows.

Each entry's hash covers its content and the previous entry's hash. Appends are serialised
(the writer lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.store.tables import TimelineEntry
from coordination.store.transaction_memo import recall, remember
from coordination.store.writer_lock import take_writer_lock

GENESIS_HASH = "0" * 64
_HEAD = "timeline_head"


def _entry_hash(prev_hash: str, at: datetime, kind: str, actor: str, incident_id: str | None, summary: str,
                data: dict[str, Any]) -> str:
    canonical = json.dumps(
        [prev_hash, at.isoformat(), kind, actor, incident_id, summary, data],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    at: datetime,
    kind: str,
    actor: str,
    summary: str,
    incident_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Append one entry to the timeline, in the caller's transaction."""
    data = json.loads(json.dumps(data or {}, default=str))
    prev_hash = _head(session)
    entry = TimelineEntry(
        incident_id=incident_id,
        at=at,
        kind=kind,
        actor=actor,
        summary=summary,
        data=data,
        prev_hash=prev_hash,
        entry_hash=_entry_hash(prev_hash, at, kind, actor, str(incident_id) if incident_id else None, summary, data),
    )
    # No flush here: the chain is in the hashes, not in `seq`, and the session inserts one
    # table's rows in the order they were added, so entries written together go in one batch.
    session.add(entry)
    remember(session, _HEAD, entry.entry_hash)
    return entry


def _head(session: Session) -> str:
    # Remembered per transaction: an entry recorded in a savepoint that rolled back is no head.
    head = recall(session, _HEAD)
    if head is not None:
        return head
    take_writer_lock(session)
    last = session.scalar(select(TimelineEntry.entry_hash).order_by(TimelineEntry.seq.desc()).limit(1))
    return last or GENESIS_HASH


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(session: Session) -> ChainBreak | None:
    """Return the first entry where the chain breaks, or None when it is intact.

    An entry whose content does not match its hash was altered. An entry that does not follow the
    one before it marks an insertion (when it follows the entry two back, the one between was
    inserted, and that one is reported) or a deletion (the entries before it are gone). Removing
    the newest entries leaves an intact but shorter chain: compare the head with a copy kept
    elsewhere (`iccc audit verify` prints it; `check_kept_head` compares).
    """
    prev_hash, prev_seq, before_prev_hash = GENESIS_HASH, None, None
    for entry in session.scalars(select(TimelineEntry).order_by(TimelineEntry.seq)):
        if entry.prev_hash != prev_hash:
            if before_prev_hash is not None and entry.prev_hash == before_prev_hash:
                return ChainBreak(prev_seq, "was inserted: the entry after it follows the one before it")
            return ChainBreak(entry.seq, "does not follow the entry before it (one was inserted or deleted)")
        expected = _entry_hash(
            entry.prev_hash, entry.at, entry.kind, entry.actor,
            str(entry.incident_id) if entry.incident_id else None, entry.summary, entry.data,
        )
        if expected != entry.entry_hash:
            return ChainBreak(entry.seq, "its content was altered")
        before_prev_hash, prev_hash, prev_seq = prev_hash, entry.entry_hash, entry.seq
    return None


@dataclass(frozen=True)
class Head:
    seq: int
    entry_hash: str


def current_head(session: Session) -> Head | None:
    """The newest entry's number and hash: the copy to keep elsewhere (None: an empty timeline)."""
    row = session.execute(select(TimelineEntry.seq, TimelineEntry.entry_hash)
                          .order_by(TimelineEntry.seq.desc()).limit(1)).first()
    return Head(row.seq, row.entry_hash) if row else None


def check_kept_head(session: Session, kept: Head) -> ChainBreak | None:
    """Compare a head kept elsewhere (a log, a shift report) with the timeline.

    An intact chain proves nothing about its newest entries: removing them leaves a shorter chain
    that still verifies. A head kept outside the database does: its entry must still be there with
    the same hash.
    """
    found = session.scalar(select(TimelineEntry.entry_hash).where(TimelineEntry.seq == kept.seq))
    if found is None:
        return ChainBreak(kept.seq, "is gone: the entries from it on were removed (it was the head kept elsewhere)")
    if found != kept.entry_hash:
        return ChainBreak(kept.seq, "differs from the copy kept elsewhere: the chain was rewritten from it or before")
    return None
