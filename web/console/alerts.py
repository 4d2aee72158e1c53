"""The console's record of CAP alerts: those the centre received, newest first with what the engine
did with each (and why) and what vouches for its sender, one alert with its XML and its timeline, and
the alerts refused, for whatever reason (a refused alert is kept only on the timeline), so a duty
officer sees without the API what came in and what was turned away."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template, request

from coordination.cap import SignatureOutcome
from coordination.queries.cap_alerts import (
    cap_alert_search,
    find_cap_alert,
    recent_cap_refusals,
    timeline_about_cap_alert,
)
from web.app.context import services
from web.console.access import BOARD_ROLES, console_caller, csrf_token

blueprint = Blueprint("alert_console", __name__)

PAGE_ROWS = 100
"""Alerts per page: a busy day of a state's feeds, small enough to read down."""

REFUSED_ROWS = 20
"""Refused alerts shown beside the list: the recent ones, which a duty officer may still act on."""

TIMELINE_ROWS = 50

OUTCOMES = {
    "declared": "declared an incident",
    "linked": "linked to an open incident",
    "updated": "updated its incident",
    "cancelled": "cancelled its incident",
    "exercise": "opened an exercise incident",
    "outside": "outside the territory: recorded only",
    "recorded": "recorded only",
}
"""What the engine did with an alert (`CapAlertRecord.outcome`), in words."""

CAP_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
"""CAP 1.2 <status>; only Actual alerts are live."""

SIGNATURES = {
    SignatureOutcome.VERIFIED.value: "verified",
    SignatureOutcome.UNCHECKED.value: "signed, not checked",
    SignatureOutcome.UNSIGNED.value: "unsigned",
}
"""What vouches for an alert's sender (`CapAlertRecord.signature`), in words."""

SIGNATURE_MEANINGS = {
    SignatureOutcome.VERIFIED.value: "signed over the whole alert with a certificate the centre holds for its sender",
    SignatureOutcome.UNCHECKED.value: "the centre holds no certificate for its sender, so the signature proves nothing",
    SignatureOutcome.UNSIGNED.value: "the centre holds no certificate for its sender, so none was required",
}
"""What each signature status means, on an alert's own page."""


def _filters() -> dict[str, str]:
    """The list's filters from the query string; unknown values are ignored rather than refused,
    so a stale bookmark still opens the page (as on the board)."""
    def allowed(name: str, choices) -> str:
        value = request.args.get(name, "")
        return value if value in choices else ""

    return {
        "outcome": allowed("outcome", OUTCOMES),
        "status": allowed("status", CAP_STATUSES),
        "signature": allowed("signature", SIGNATURES),
        "q": request.args.get("q", "").strip()[:100],
    }


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 10**6 else 1


@blueprint.get("/console/alerts")
def alerts_page():
    caller = console_caller(BOARD_ROLES)
    filters = _filters()
    page_number = _page_number()
    with services().store.transaction() as db:
        alerts = cap_alert_search(db, outcome=filters["outcome"], status=filters["status"],
                                  signature=filters["signature"], text=filters["q"],
                                  limit=PAGE_ROWS + 1, offset=(page_number - 1) * PAGE_ROWS)
        refused = recent_cap_refusals(db, limit=REFUSED_ROWS)
        return render_template(
            "alerts.html", caller=caller, csrf_token=csrf_token(), alerts=alerts[:PAGE_ROWS],
            has_older=len(alerts) > PAGE_ROWS, page_number=page_number, refused=refused, refused_rows=REFUSED_ROWS,
            filters=filters, filtered=any(filters.values()),
            kept_filters={name: value for name, value in filters.items() if value},
            outcomes=OUTCOMES, statuses=CAP_STATUSES, signatures=SIGNATURES,
        )


@blueprint.get("/console/alerts/<uuid:alert_id>")
def alert_page(alert_id: uuid.UUID):
    caller = console_caller(BOARD_ROLES)
    with services().store.transaction() as db:
        alert = find_cap_alert(db, alert_id)
        if alert is None:
            abort(404)
        timeline = timeline_about_cap_alert(db, alert.id, limit=TIMELINE_ROWS)
        return render_template("alert.html", caller=caller, csrf_token=csrf_token(), alert=alert,
                               timeline=timeline, outcomes=OUTCOMES, signatures=SIGNATURES,
                               signature_meanings=SIGNATURE_MEANINGS)
