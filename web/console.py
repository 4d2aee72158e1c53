"""The web console's first pages: sign in with a token, and the live incident board."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, session as cookie, url_for
from sqlalchemy import select

from coordination import IncidentStatus, Principal, Role, Unauthenticated, authenticate
from coordination.store.tables import ApiToken, Incident, OfficerAlert
from web.context import services

blueprint = Blueprint("console", __name__)

BOARD_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER}


def _signed_in() -> Principal | None:
    token_id = cookie.get("token_id")
    if not token_id:
        return None
    context = services()
    with context.store.transaction() as db:
        record = db.get(ApiToken, uuid.UUID(token_id))
        now = context.clock.now()
        if record is None or record.revoked_at is not None or (record.expires_at and record.expires_at <= now):
            cookie.clear()
            return None
        return Principal(token_id=record.id, name=record.name, role=record.role, agency_id=record.agency_id)


def _csrf_token() -> str:
    if "csrf" not in cookie:
        cookie["csrf"] = secrets.token_urlsafe(24)
    return cookie["csrf"]


@blueprint.get("/")
def board():
    caller = _signed_in()
    if caller is None:
        return redirect(url_for("console.sign_in"))
    if caller.role not in BOARD_ROLES:
        abort(403)
    return render_template("board.html", caller=caller, csrf_token=_csrf_token())


@blueprint.get("/console/sign-in")
def sign_in():
    return render_template("sign_in.html", csrf_token=_csrf_token(), error=None)


@blueprint.post("/console/sign-in")
def submit_sign_in():
    if not secrets.compare_digest(request.form.get("csrf", ""), cookie.get("csrf", "-")):
        abort(400)
    context = services()
    try:
        with context.store.transaction() as db:
            caller = authenticate(session=db, clock=context.clock, token=request.form.get("token", "").strip())
    except Unauthenticated as error:
        return render_template("sign_in.html", csrf_token=_csrf_token(), error=str(error)), 401
    cookie.clear()
    cookie["token_id"] = str(caller.token_id)
    return redirect(url_for("console.board"))


@blueprint.post("/console/sign-out")
def sign_out():
    if not secrets.compare_digest(request.form.get("csrf", ""), cookie.get("csrf", "-")):
        abort(400)
    cookie.clear()
    return redirect(url_for("console.sign_in"))


@blueprint.get("/console/board.json")
def board_data():
    """The board's rows: open incidents first, each with SOP progress and its next deadline."""
    caller = _signed_in()
    if caller is None or caller.role not in BOARD_ROLES:
        abort(401)
    context = services()
    now = context.clock.now()
    with context.store.transaction() as db:
        incidents = db.scalars(
            select(Incident).order_by((Incident.status == IncidentStatus.OPEN).desc(), Incident.declared_at.desc())
            .limit(200)
        ).unique().all()
        rows = [_row(incident, now) for incident in incidents]
        alerts = db.scalars(select(OfficerAlert).where(OfficerAlert.acknowledged_at.is_(None))
                            .order_by(OfficerAlert.raised_at.desc()).limit(50)).all()
        officer_alerts = [{"kind": alert.kind, "summary": alert.summary,
                           "age_s": int((now - alert.raised_at).total_seconds())} for alert in alerts]
    return {"now": now.isoformat(), "incidents": rows, "officer_alerts": officer_alerts}


def _row(incident: Incident, now: datetime) -> dict:
    steps_total = steps_settled = 0
    sop = None
    deadlines: list[datetime] = []
    for run in incident.runs:
        sop = f"{run.sop_id} v{run.sop_version} ({run.status.replace('_', ' ')})"
        for step in run.state["steps"].values():
            steps_total += 1
            steps_settled += step["status"] in ("done", "skipped")
        deadlines += [datetime.fromisoformat(due) for due in run.state["timers"].values()]
    open_tasks = [task for task in incident.tasks if task.status.is_open]
    next_deadline = min(deadlines) if deadlines else None
    return {
        "id": str(incident.id),
        "url": url_for("incident_console.incident_page", incident_id=incident.id),
        "type": incident.incident_type.replace("_", " "),
        "severity": incident.severity.value,
        "status": incident.status.value,
        "is_exercise": incident.is_exercise,
        "age_s": int((now - incident.declared_at).total_seconds()),
        "sop": sop,
        "progress": f"{steps_settled}/{steps_total}" if steps_total else "",
        "open_tasks": [{"agency": task.agency.code, "step": task.step_id, "status": task.status.value}
                       for task in open_tasks],
        "next_deadline_in_s": int((next_deadline - now).total_seconds()) if next_deadline else None,
    }
