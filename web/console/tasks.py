"""The console for agency users: their own agency's open tasks apart from its finished ones,
with every answer the API offers where it applies (acknowledge, progress once acknowledged,
complete, reject; for a dispatch order, the unit's status reports), recorded as the signed-in
person. Another agency's task is invisible here exactly as in the API (404)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from pydantic import ValidationError

from coordination import (
    Acknowledge,
    Complete,
    InvalidTransition,
    Reject,
    ReportProgress,
    Role,
    answer_task,
)
from coordination.agency_desk import agency_desk
from coordination.dispatch_service import StatusReport, report_status
from coordination.errors import Conflict, Forbidden, InvalidInput, NotFound
from coordination.queries.agencies import find_agency
from web.app.context import services
from web.app.problems import status_for
from web.console.access import console_caller, csrf_token, require_csrf
from web.console.action_messages import say

blueprint = Blueprint("task_console", __name__)


AGENCY_STAFF = frozenset({Role.AGENCY})


@blueprint.get("/console/tasks")
def tasks_page(*, error: str | None = None, error_for: str | None = None, status: int = 200):
    caller = console_caller(AGENCY_STAFF)
    context = services()
    with context.store.transaction() as db:
        agency = find_agency(db, caller.agency_id)
        desk = agency_desk(session=db, agency_id=caller.agency_id)
        page = render_template("tasks.html", caller=caller, csrf_token=csrf_token(), agency=agency, desk=desk,
                               error=error, error_for=error_for)
    return page, status


@blueprint.post("/console/tasks/<uuid:task_id>/<action>")
def answer(task_id: uuid.UUID, action: str):
    caller = console_caller(AGENCY_STAFF)
    require_csrf()
    form = request.form
    if action == "acknowledge":
        reply = Acknowledge()
    elif action == "progress" and form.get("note", "").strip():
        percent = form.get("percent", "").strip()
        if percent and not (percent.isdigit() and 0 <= int(percent) <= 100):
            return tasks_page(error="percent must be a whole number from 0 to 100", error_for=str(task_id), status=422)
        reply = ReportProgress(note=form["note"].strip(), percent=int(percent) if percent else None)
    elif action == "complete":
        reply = Complete(note=form.get("note", "").strip())
    elif action == "reject" and form.get("reason", "").strip():
        reply = Reject(reason=form["reason"].strip())
    elif action in ("progress", "reject"):
        what = "a note" if action == "progress" else "a reason"
        return tasks_page(error=f"give {what}", error_for=str(task_id), status=422)
    else:
        abort(404)
    context = services()
    try:
        with context.store.transaction() as db:
            answer_task(session=db, clock=context.clock, principal=caller, task_id=task_id, answer=reply)
    except InvalidTransition as problem:
        return tasks_page(error=str(problem), error_for=str(task_id), status=status_for(problem))
    say(ANSWERED[action])
    return redirect(url_for("task_console.tasks_page") + f"#task-{task_id}")


ANSWERED = {"acknowledge": "Acknowledged: the centre sees that your agency has the task.",
            "progress": "Progress reported to the centre.",
            "complete": "Completed: the task is finished and the SOP moves on.",
            "reject": "Rejected: the centre is told, with your reason."}


@blueprint.post("/console/units/<uuid:unit_id>/status")
def unit_status(unit_id: uuid.UUID):
    """The agency's status report for its unit on a dispatch order, as the API's."""
    caller = console_caller(AGENCY_STAFF)
    require_csrf()
    task_id = request.form.get("task_id", "")
    context = services()
    try:
        report = StatusReport(status=request.form.get("status", ""))
        with context.store.transaction() as db:
            unit = report_status(session=db, clock=context.clock, principal=caller, unit_id=unit_id, report=report)
            say(f"{unit.code} reported {unit.status.value.replace('_', ' ')}.")
    except (ValidationError, InvalidInput, Conflict, Forbidden, NotFound) as problem:
        return tasks_page(error="that status cannot be reported now: reload the page" if isinstance(
            problem, ValidationError) else str(problem), error_for=task_id, status=status_for(problem))
    return redirect(url_for("task_console.tasks_page") + (f"#task-{task_id}" if task_id else ""))
