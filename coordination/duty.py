"""The duty officer's part in a run: decisions, approval of public notices, standing SOPs down.

Each use case checks what it can before touching the run (an unknown option is the caller's
mistake, 422; a decision already taken otherwise is a conflict, 409), records who decided on
the timeline, and feeds the run the matching event in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, Forbidden, InvalidInput, NotFound
from coordination.lifecycles import (
    NOTICE_APPROVE,
    NOTICE_WITHHOLD,
    DutyRequestKind,
    DutyRequestStatus,
    IncidentStatus,
)
from coordination.principals import Principal, Role
from coordination.dispatch_service import release_incident_units
from coordination.runs import apply_event
from coordination.store.tables import DutyRequest, Incident, SopRunRecord
from coordination.store.writer_lock import take_writer_lock
from sop_engine import DecisionTaken, NoticeApproved, NoticeWithheld, RunStatus, StoodDown

DECIDING_ROLES = frozenset({Role.DUTY_OFFICER, Role.ADMINISTRATOR})


def _require_duty_officer(principal: Principal) -> None:
    if principal.role not in DECIDING_ROLES:
        raise Forbidden(f"the {principal.role.value} role may not take duty officer decisions")


def answer_request(*, session: Session, clock: Clock, principal: Principal, request_id: uuid.UUID, choice: str,
                   note: str = "") -> DutyRequest:
    """Answer a decision (choose an option) or a public notice (`approve` or `withhold`).

    Idempotent: the same answer again returns the request unchanged.

    Raises:
        Forbidden: the principal is not a duty officer or administrator.
        NotFound: no such request.
        InvalidInput: `choice` is not one of the request's options (field `choice`).
        Conflict: the request was answered otherwise, or its run ended.
    """
    _require_duty_officer(principal)
    query = select(DutyRequest).where(DutyRequest.id == request_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    request = session.scalar(query)
    if request is None:
        raise NotFound(f"decision {request_id} does not exist")
    if choice not in request.options:
        raise InvalidInput(f"{choice!r} is not an option; options: {', '.join(request.options)}", field="choice")
    if request.status is DutyRequestStatus.ANSWERED:
        if request.answer == choice:
            return request
        raise Conflict(f"decision {request.id} was already answered {request.answer!r} by {request.answered_by}")
    if request.status is DutyRequestStatus.CANCELLED:
        raise Conflict(f"decision {request.id} no longer matters: its SOP run has ended")
    now = clock.now()
    request.status = DutyRequestStatus.ANSWERED
    request.answer = choice
    request.answered_by = principal.label
    request.answered_at = now
    request.note = note
    step = request.step_id
    if request.kind is DutyRequestKind.DECISION:
        event = DecisionTaken(step, choice, principal.label)
        summary = f"decision at step {step}: {choice}"
    elif choice == NOTICE_APPROVE:
        event = NoticeApproved(step, principal.label)
        summary = f"public notice of step {step} approved"
    else:
        assert choice == NOTICE_WITHHOLD
        event = NoticeWithheld(step, principal.label, note or "withheld by the duty officer")
        summary = f"public notice of step {step} withheld"
    audit.record(session, at=now, kind=f"{request.kind.value}.answered", actor=principal.label,
                 incident_id=request.incident_id, summary=summary + (f" ({note})" if note else ""),
                 data={"request_id": str(request.id), "step_id": step, "choice": choice, "note": note})
    apply_event(session=session, clock=clock, run_id=request.run_id, event=event, actor=principal.label)
    return request


def stand_down(*, session: Session, clock: Clock, principal: Principal, incident_id: uuid.UUID,
               reason: str) -> Incident:
    """Stand every running SOP of the incident down and close it; each open task's agency is
    told by a `task.cancelled` webhook.

    Raises:
        Forbidden: the principal is not a duty officer or administrator.
        NotFound: no such incident.
        InvalidInput: no reason given (field `reason`).
        Conflict: the incident is already closed.
    """
    _require_duty_officer(principal)
    if not reason.strip():
        raise InvalidInput("say why the SOP is stood down", field="reason")
    take_writer_lock(session)  # before reading: a second stand-down at the same moment finds it closed
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.status is IncidentStatus.CLOSED:
        raise Conflict(f"incident {incident_id} is already closed")
    stand_incident_down(session=session, clock=clock, incident=incident, reason=reason, actor=principal.label)
    return incident


def stand_incident_down(*, session: Session, clock: Clock, incident: Incident, reason: str, actor: str) -> None:
    """Stand an open incident down on behalf of `actor`, who has been checked already: every
    running SOP stops (its open tasks are cancelled, each agency told by webhook), the incident's
    units are released and the incident is closed."""
    now = clock.now()
    audit.record(session, at=now, kind="incident.stand_down", actor=actor, incident_id=incident.id,
                 summary=f"stand-down ordered: {reason}", data={"reason": reason})
    running = session.scalars(
        select(SopRunRecord).where(SopRunRecord.incident_id == incident.id,
                                   SopRunRecord.status == RunStatus.RUNNING.value)
    ).all()
    for record in running:
        apply_event(session=session, clock=clock, run_id=record.id, event=StoodDown(reason, actor), actor=actor)
    release_incident_units(session=session, clock=clock, incident_id=incident.id, actor=actor,
                           reason=f"stood down: {reason}")
    if incident.status is not IncidentStatus.CLOSED:  # no run was running: close it directly
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = now
