"""Reading what the duty officer works from: escalations, decisions waiting for an answer, and
the officer alerts the engine raised."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.lifecycles import DutyRequestKind, DutyRequestStatus
from coordination.store.tables import DutyRequest, Escalation, OfficerAlert


def escalations_query() -> Select:
    """Every escalation, newest first."""
    return select(Escalation).order_by(Escalation.raised_at.desc(), Escalation.id)


def decisions_query(*, status: DutyRequestStatus | None = None, kind: DutyRequestKind | None = None,
                    incident_id: uuid.UUID | None = None) -> Select:
    """Decisions and public notices for the duty officer, oldest due first, narrowed by each filter given."""
    query = select(DutyRequest).order_by(DutyRequest.due_at, DutyRequest.id)
    if status is not None:
        query = query.where(DutyRequest.status == status)
    if kind is not None:
        query = query.where(DutyRequest.kind == kind)
    if incident_id is not None:
        query = query.where(DutyRequest.incident_id == incident_id)
    return query


def find_decision(session: Session, request_id: uuid.UUID) -> DutyRequest | None:
    return session.get(DutyRequest, request_id)


def existing_decision(session: Session, request_id: uuid.UUID) -> DutyRequest:
    """The decision (or public notice request), or NotFound."""
    found = session.get(DutyRequest, request_id)
    if found is None:
        raise NotFound(f"decision {request_id} does not exist")
    return found


def officer_alerts_query(*, open_only: bool) -> Select:
    """Alerts for the duty officer, newest first; `open_only` leaves out acknowledged ones."""
    query = select(OfficerAlert).order_by(OfficerAlert.raised_at.desc(), OfficerAlert.id)
    if open_only:
        query = query.where(OfficerAlert.acknowledged_at.is_(None))
    return query


def open_officer_alerts(session: Session, *, limit: int) -> Sequence[OfficerAlert]:
    """The newest `limit` alerts not yet acknowledged, newest first."""
    return session.scalars(select(OfficerAlert).where(OfficerAlert.acknowledged_at.is_(None))
                           .order_by(OfficerAlert.raised_at.desc()).limit(limit)).all()
