"""Reading public warnings (drafted by operators, approved by a duty officer) and the public
notices SOP steps published, for the desk and the public feed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.store.tables import Incident, PublicNotice, PublicWarning


def public_warnings_query() -> Select:
    """Every public warning, newest drafted first, drafts included."""
    return select(PublicWarning).order_by(PublicWarning.drafted_at.desc(), PublicWarning.id)


def approved_warnings(session: Session, *, limit: int) -> Sequence[PublicWarning]:
    """The newest `limit` approved (so published) warnings, newest approval first."""
    return session.scalars(select(PublicWarning).where(PublicWarning.status == "approved")
                           .order_by(PublicWarning.approved_at.desc()).limit(limit)).all()


def published_sop_notices(session: Session, *, limit: int) -> Sequence[tuple[PublicNotice, Incident]]:
    """(notice, incident) of the newest `limit` notices SOP steps published for live (not
    exercise) incidents, newest first."""
    return session.execute(
        select(PublicNotice, Incident).join(Incident, Incident.id == PublicNotice.incident_id)
        .where(Incident.is_exercise.is_(False)).order_by(PublicNotice.published_at.desc()).limit(limit)
    ).all()


def find_public_warning(session: Session, warning_id: uuid.UUID) -> PublicWarning | None:
    return session.get(PublicWarning, warning_id)


def published_sop_notice(session: Session, notice_id: uuid.UUID) -> tuple[PublicNotice, Incident] | None:
    """(notice, incident) if the notice exists and its incident is live (not an exercise)."""
    notice = session.get(PublicNotice, notice_id)
    incident = session.get(Incident, notice.incident_id) if notice is not None else None
    if notice is None or incident is None or incident.is_exercise:
        return None
    return notice, incident
