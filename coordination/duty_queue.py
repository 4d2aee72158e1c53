"""What waits for the duty officer: every open SOP decision and public notice awaiting approval,
soonest due first, each with its step in words, so the board can list them and link to them.

Read by the board every two seconds: one query for the requests with their runs and incidents,
the SOP definitions from the parsed-definition cache.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.lifecycles import DutyRequestKind, DutyRequestStatus
from coordination.sop_catalogue import definition_for
from coordination.store.tables import DutyRequest, Incident, SopRunRecord
from sop_engine import SopRef

MAX_LISTED = 100
"""More than this at once is a centre in crisis: the board says how many more wait."""


@dataclass(frozen=True)
class AwaitingOfficer:
    request_id: uuid.UUID
    incident_id: uuid.UUID
    kind: DutyRequestKind
    step: str
    """The step in words (its title in the SOP, or its id in words)."""
    text: str
    incident_type: str
    place_name: str
    is_exercise: bool
    created_at: datetime
    due_at: datetime


def awaiting_duty_officer(*, session: Session, limit: int = MAX_LISTED) -> tuple[list[AwaitingOfficer], int]:
    """Open decisions and notices awaiting approval, soonest due first; and how many there are."""
    open_requests = (select(DutyRequest, SopRunRecord, Incident)
                     .join(SopRunRecord, SopRunRecord.id == DutyRequest.run_id)
                     .join(Incident, Incident.id == DutyRequest.incident_id)
                     .where(DutyRequest.status == DutyRequestStatus.OPEN))
    rows = session.execute(open_requests.order_by(DutyRequest.due_at, DutyRequest.created_at)).all()
    listed = [AwaitingOfficer(request_id=request.id, incident_id=incident.id, kind=request.kind,
                              step=_step_words(session, run, request.step_id), text=request.text,
                              incident_type=incident.incident_type, place_name=incident.place_name or "",
                              is_exercise=incident.is_exercise, created_at=request.created_at, due_at=request.due_at)
              for request, run, incident in rows[:limit]]
    return listed, len(rows)


def _step_words(session: Session, run: SopRunRecord, step_id: str) -> str:
    try:
        definition = definition_for(session, SopRef(run.sop_id, run.sop_version))
    except NotFound:
        return step_id.replace("_", " ")
    step = next((s for s in definition.steps if s.step_id == step_id), None)
    return step.label if step is not None else step_id.replace("_", " ")
