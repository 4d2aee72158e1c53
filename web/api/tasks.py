"""Tasks: agencies list and answer their own; duty officers see all of them."""

from __future__ import annotations

import uuid

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from coordination import (
    Acknowledge,
    Complete,
    Reject,
    ReportProgress,
    Role,
    TaskStatus,
    answer_task,
    visible_task,
)
from coordination.representations import delivery_json, task_json
from coordination.queries.tasks import deliveries_of_task, tasks_query
from web.api.listing import page_of
from web.api.query import arg, choice, page, takes_query
from web.app.context import (
    api,
    json_body,
    optional_json_body,
    principal,
    services,
    session,
)

blueprint = Blueprint("tasks", __name__)

READERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
ANSWERERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcknowledgeBody(_Body):
    pass


class ProgressBody(_Body):
    note: str = Field(min_length=1, max_length=4000)
    percent: int | None = Field(default=None, ge=0, le=100)


class CompleteBody(_Body):
    note: str = Field(default="", max_length=4000)


class RejectBody(_Body):
    reason: str = Field(min_length=1, max_length=4000)


@blueprint.get("/tasks")
@api(*READERS)
@takes_query(choice("status", TaskStatus, "Only tasks in this status"), *page())
def list_tasks():
    """Tasks, newest first: an agency sees only its own; `status` filters."""
    caller = principal()
    query = tasks_query(agency_id=caller.agency_id if caller.role is Role.AGENCY else None,
                        status=arg("status"))
    return page_of(query, task_json)


@blueprint.get("/tasks/<uuid:task_id>")
@api(*READERS)
def read(task_id: uuid.UUID):
    """One task (404 for another agency's task)."""
    return task_json(visible_task(session=session(), principal=principal(), task_id=task_id))


def _answer(task_id: uuid.UUID, answer) -> dict:
    task = answer_task(session=session(), clock=services().clock, principal=principal(), task_id=task_id,
                       answer=answer)
    return task_json(task)


@blueprint.post("/tasks/<uuid:task_id>/acknowledge")
@api(*ANSWERERS)
def acknowledge(task_id: uuid.UUID):
    """Acknowledge the task (repeating it changes nothing)."""
    optional_json_body(AcknowledgeBody)
    return _answer(task_id, Acknowledge())


@blueprint.post("/tasks/<uuid:task_id>/progress")
@api(*ANSWERERS)
def progress(task_id: uuid.UUID):
    """Report progress on an acknowledged task."""
    body = json_body(ProgressBody)
    return _answer(task_id, ReportProgress(body.note, body.percent))


@blueprint.post("/tasks/<uuid:task_id>/complete")
@api(*ANSWERERS)
def complete(task_id: uuid.UUID):
    """Complete the task; the SOP moves on to the steps waiting for it."""
    body = optional_json_body(CompleteBody)
    return _answer(task_id, Complete(body.note))


@blueprint.post("/tasks/<uuid:task_id>/reject")
@api(*ANSWERERS)
def reject(task_id: uuid.UUID):
    """Reject the task with a reason; the duty officer is alerted."""
    body = json_body(RejectBody)
    return _answer(task_id, Reject(body.reason))


@blueprint.get("/tasks/<uuid:task_id>/deliveries")
@api(*ANSWERERS)
def deliveries(task_id: uuid.UUID):
    """The delivery log of every webhook about this task: each attempt's time, status and latency."""
    task = visible_task(session=session(), principal=principal(), task_id=task_id)
    return {"items": [delivery_json(delivery.message, delivery.attempts)
                      for delivery in deliveries_of_task(session(), task.id)]}
