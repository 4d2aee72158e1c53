"""The console for agency users: their own agency's tasks, newest open first, with the same
four answers the API offers (acknowledge, progress, complete, reject), recorded as the
signed-in person. Another agency's task is invisible here exactly as in the API (404)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from coordination import (
    Acknowledge,
    Complete,
    InvalidTransition,
    Reject,
    ReportProgress,
    Role,
    answer_task,
)
from coordination.store.tables import Agency, Task
from web.app.context import services
from web.app.problems import status_for
from web.console.access import console_caller, csrf_token, require_csrf

blueprint = Blueprint("task_console", __name__)


AGENCY_STAFF = frozenset({Role.AGENCY})


@blueprint.get("/console/tasks")
def tasks_page(*, error: str | None = None, error_for: str | None = None, status: int = 200):
    caller = console_caller(AGENCY_STAFF)
    context = services()
    with context.store.transaction() as db:
        agency = db.get(Agency, caller.agency_id)
        tasks = db.scalars(
            select(Task).where(Task.agency_id == caller.agency_id)
            .order_by(Task.status.in_(["completed", "rejected", "cancelled"]), Task.created_at.desc()).limit(200)
        ).unique().all()
        page = render_template("tasks.html", caller=caller, csrf_token=csrf_token(), agency=agency, tasks=tasks,
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
    return redirect(url_for("task_console.tasks_page") + f"#task-{task_id}")
