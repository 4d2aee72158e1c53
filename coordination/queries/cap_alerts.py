"""Reading the CAP alerts received, what the engine did with each, and the refusals on record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.queries.text_search import any_contains
from coordination.store.tables import CapAlertRecord, TimelineEntry


def cap_alerts_query() -> Select:
    """CAP alerts received, newest first (the id breaks ties between alerts received in the same
    instant, so pages never overlap)."""
    return select(CapAlertRecord).order_by(CapAlertRecord.received_at.desc(), CapAlertRecord.id)


def cap_alert_search(session: Session, *, outcome: str = "", status: str = "", signature: str = "", text: str = "",
                     limit: int, offset: int) -> Sequence[CapAlertRecord]:
    """CAP alerts received, newest first, narrowed by each filter given (`text` is found in the
    sender, the event or the identifier); `limit` from `offset`."""
    query = cap_alerts_query()
    for column, value in ((CapAlertRecord.outcome, outcome), (CapAlertRecord.status, status),
                          (CapAlertRecord.signature, signature)):
        if value:
            query = query.where(column == value)
    if text:
        query = query.where(any_contains([(CapAlertRecord.sender, text), (CapAlertRecord.event, text),
                                          (CapAlertRecord.identifier, text)]))
    return session.scalars(query.limit(limit).offset(offset)).all()


def recent_cap_refusals(session: Session, *, limit: int) -> Sequence[TimelineEntry]:
    """The newest `limit` refused CAP alerts on the timeline, newest first."""
    return session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "cap.refused")
                           .order_by(TimelineEntry.seq.desc()).limit(limit)).all()


def find_cap_alert(session: Session, alert_id: uuid.UUID) -> CapAlertRecord | None:
    return session.get(CapAlertRecord, alert_id)


def timeline_about_cap_alert(session: Session, alert_id: uuid.UUID, *, limit: int) -> Sequence[TimelineEntry]:
    """The newest `limit` timeline entries about the alert, newest first: what the intake and the
    officer alerts it raised wrote about it name it in their data."""
    return session.scalars(select(TimelineEntry)
                           .where(TimelineEntry.data["cap_alert_id"].as_string() == str(alert_id))
                           .order_by(TimelineEntry.seq.desc()).limit(limit)).all()
