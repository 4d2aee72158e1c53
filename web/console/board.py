"""The web console's first pages: sign in with a token, and the live incident board."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask import session as cookie

from coordination import (
    IncidentStatus,
    TooManyAttempts,
    Unauthenticated,
    authenticate,
)
from coordination.duty_queue import awaiting_duty_officer
from coordination.lifecycles import DutyRequestKind
from coordination.queries.duty import open_officer_alerts
from coordination.queries.incidents import board_incidents
from coordination.users import sign_in_with_password
from sop_engine import INCIDENT_TYPES, Severity
from web.app.context import services
from web.app.problems import read_by_scripts, status_for
from web.console.access import (
    BOARD_ROLES,
    csrf_token,
    note_token_use,
    refuse,
    require_csrf,
    script_caller,
    signed_in,
)
from web.console.nav import home_for, links_for

blueprint = Blueprint("console", __name__)


@blueprint.app_context_processor
def _navigation() -> dict:
    return {"nav_links": links_for}


@blueprint.get("/")
def board():
    caller = signed_in()
    if caller is None:
        return redirect(url_for("console.sign_in"))
    home = home_for(caller)
    if home is not None and home.endpoint != "console.board":
        return redirect(url_for(home.endpoint))
    if caller.role not in BOARD_ROLES:
        refuse(caller, BOARD_ROLES)
    return render_template("board.html", caller=caller, csrf_token=csrf_token(), filters=_board_filters(),
                           severities=[level.value for level in Severity], statuses=[s.value for s in IncidentStatus],
                           incident_types=sorted(INCIDENT_TYPES))


@blueprint.get("/console/sign-in")
def sign_in():
    return render_template("sign_in.html", csrf_token=csrf_token(), error=None)


def _refused(message: str, *, error_for: str, status: int, username: str = "", headers: dict | None = None):
    page = render_template("sign_in.html", csrf_token=csrf_token(), error=message, error_for=error_for,
                           username=username)
    return page, status, headers or {}


@blueprint.post("/console/sign-in")
def submit_sign_in():
    """Sign in with a username and password (people), or an API token (integrations, demo)."""
    require_csrf()
    context = services()
    if "username" in request.form:
        username = request.form.get("username", "")
        try:
            with context.store.transaction() as db:  # commits the attempt, failed or not
                caller = sign_in_with_password(session=db, clock=context.clock, username=username,
                                               password=request.form.get("password", ""),
                                               remote_address=request.remote_addr or "unknown")
        except TooManyAttempts as error:
            return _refused(str(error), error_for="password", status=status_for(error), username=username,
                            headers={"Retry-After": str(error.retry_after_s)})
        if caller is None:
            return _refused("wrong username or password", error_for="password", status=401, username=username)
        cookie.clear()
        cookie.permanent = True
        cookie["user_id"] = str(caller.user_id)
        return redirect(url_for("console.board"))
    try:
        with context.store.transaction() as db:
            caller = authenticate(session=db, clock=context.clock, token=request.form.get("token", "").strip())
    except Unauthenticated as error:
        return _refused(str(error), error_for="token", status=status_for(error))
    note_token_use(caller)
    cookie.clear()
    cookie.permanent = True
    cookie["token_id"] = str(caller.token_id)
    return redirect(url_for("console.board"))


@blueprint.post("/console/sign-out")
def sign_out():
    require_csrf()
    cookie.clear()
    return redirect(url_for("console.sign_in"))


BOARD_ROWS = 200


def _board_filters() -> dict[str, str]:
    """The board's filters from the query string; unknown values are ignored rather than refused,
    so a stale bookmark still opens the board."""
    def allowed(name: str, choices, default: str = "") -> str:
        value = request.args.get(name, default)
        return value if value in {"", *choices} else default

    return {
        "status": allowed("status", IncidentStatus, default=IncidentStatus.OPEN.value),
        "severity": allowed("severity", Severity),
        "type": allowed("type", INCIDENT_TYPES),
        "exercise": allowed("exercise", {"live", "exercise"}),
        "q": request.args.get("q", "").strip()[:100],
    }


@blueprint.get("/console/board.json")
@read_by_scripts
def board_data():
    """The board's rows, filtered: open incidents first, newest first, each with SOP progress and
    its next deadline. `q` searches the description, the place name, the type and the reporter."""
    script_caller(BOARD_ROLES)
    context = services()
    now = context.clock.now()
    filters = _board_filters()
    with context.store.transaction() as db:
        incidents = board_incidents(
            db, status=IncidentStatus(filters["status"]) if filters["status"] else None,
            severity=Severity(filters["severity"]) if filters["severity"] else None, incident_type=filters["type"],
            exercise=filters["exercise"] == "exercise" if filters["exercise"] else None, text=filters["q"],
            limit=BOARD_ROWS + 1)
        rows = [_row(incident, now) for incident in incidents[:BOARD_ROWS]]
        alerts = open_officer_alerts(db, limit=50)
        officer_alerts = [{"id": str(alert.id), "kind": alert.kind, "summary": alert.summary,
                           "href": _where_to_act(alert), "age_s": int((now - alert.raised_at).total_seconds())}
                          for alert in alerts]
        waiting, waiting_count = awaiting_duty_officer(session=db)
        awaiting = [_awaiting(item, now) for item in waiting]
    return {"now": now.isoformat(), "incidents": rows, "more": len(incidents) > BOARD_ROWS,
            "officer_alerts": officer_alerts, "awaiting": awaiting, "awaiting_more": waiting_count - len(awaiting)}


def _awaiting(item, now: datetime) -> dict:
    """A decision or notice waiting for the duty officer, as the board lists it."""
    what = "Decide" if item.kind is DutyRequestKind.DECISION else "Approve the public notice"
    where = item.place_name or item.incident_type.replace("_", " ")
    return {"id": str(item.request_id), "kind": item.kind.value,
            "summary": f"{what}: {item.step} — {item.text} ({item.incident_type.replace('_', ' ')}, {where}"
                       f"{', exercise' if item.is_exercise else ''})",
            "href": url_for("incident_console.incident_page", incident_id=item.incident_id)
                    + f"#decision-{item.request_id}",
            "due_at": item.due_at.isoformat(), "due_in_s": int((item.due_at - now).total_seconds()),
            "age_s": int((now - item.created_at).total_seconds())}


def _where_to_act(alert) -> str | None:
    """The page where the duty officer acts on an alert: the refused CAP alerts, the incident, or
    the CAP alert it is about."""
    if alert.kind == "cap.refused":
        return url_for("alert_console.alerts_page") + "#refused"
    if alert.incident_id is not None:
        return url_for("incident_console.incident_page", incident_id=alert.incident_id)
    if (alert.data or {}).get("cap_alert_id"):
        return url_for("alert_console.alert_page", alert_id=alert.data["cap_alert_id"])
    return None


def _row(incident, now: datetime) -> dict:
    steps_total = steps_settled = 0
    sop = None
    deadlines: list[datetime] = []
    for run in incident.runs:
        sop = f"{run.sop_id} v{run.sop_version} ({run.status.replace('_', ' ')})"
        for step in run.state["steps"].values():
            steps_total += 1
            steps_settled += step["status"] in ("done", "skipped")
        deadlines += [datetime.fromisoformat(due) for due in run.state["timers"].values()]
    open_tasks: dict[str, Counter[str]] = {}
    for task in incident.tasks:
        if task.status.is_open:
            open_tasks.setdefault(task.agency.code, Counter())[task.status.value] += 1
    next_deadline = min(deadlines) if deadlines else None
    return {
        "id": str(incident.id),
        "url": url_for("incident_console.incident_page", incident_id=incident.id),
        "type": incident.incident_type.replace("_", " "),
        "severity": incident.severity.value,
        "description": incident.description[:140],
        "place_name": incident.place_name,
        "coordinates": f"{incident.latitude:.5f}, {incident.longitude:.5f}",
        "status": incident.status.value,
        "is_exercise": incident.is_exercise,
        "age_s": int((now - incident.declared_at).total_seconds()),
        "sop": sop,
        "progress": f"{steps_settled}/{steps_total}" if steps_total else "",
        # Per agency, how many of its open tasks are in each state: a list of every task read
        # like a log ("fire-central: dispatch (delivered)" twice over).
        "open_tasks": [{"agency": agency, "counts": dict(sorted(counts.items()))}
                       for agency, counts in sorted(open_tasks.items())],
        "next_deadline_in_s": int((next_deadline - now).total_seconds()) if next_deadline else None,
    }
