"""The console's error pages: a problem mapped in `web.app.problems`, told to a person in the
console's layout (their navigation, what happened, what to do, the way back to their home
page), with the problem's status code. Never a traceback or an internal detail."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from flask import Response, make_response, render_template, request

from coordination import Principal
from web.app.config import MAX_REQUEST_BYTES
from web.app.problems import Problem
from web.console.access import csrf_token, signed_in
from web.console.nav import home_for

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Telling:
    """What an error page says: a heading, what happened, and what to do about it."""

    heading: str
    what: str
    advice: str


def error_page(problem: Problem) -> Response:
    """`problem` as a console page; the sign-out form and navigation are the signed-in person's."""
    caller = _caller_if_known()
    home = home_for(caller)
    telling = tell(problem)
    page = render_template("error.html", caller=caller, csrf_token=csrf_token(), home=home,
                           telling=telling, reference=problem.reference)
    response = make_response(page, problem.status)
    if problem.allowed_methods:
        response.headers["Allow"] = ", ".join(problem.allowed_methods)
    return response


def tell(problem: Problem) -> Telling:
    """The page's words for `problem`: the engine's own message where it is meant for people
    (refusals, conflicts, bad values), fixed words where it is generic or internal."""
    said = _sentence(problem.detail)
    if problem.slug == "form-expired":
        return Telling("Form expired", said, "Reload the page to get a fresh form, then send it again.")
    status = problem.status
    if status == 401:
        return Telling("Signed out", "Your session has ended.", "Sign in again to carry on.")
    if status == 403:
        return Telling("Not allowed", said,
                       "Go back to your home page, or sign out and sign in as someone who may use it.")
    if status == 404:
        return Telling("Not found", "There is nothing at this address: the link may be wrong, or what it "
                       "pointed to no longer exists.", "Check the address, or start again from your home page.")
    if status == 405:
        methods = set(problem.allowed_methods) - {"HEAD", "OPTIONS"}
        what = ("This address is where a console form is sent: it cannot be opened as a page."
                if methods == {"POST"} else f"This address does not take a {request.method} request.")
        return Telling("Not available this way", what, "Start again from your home page.")
    if status == 409:
        return Telling("Could not be done", said, "Reload the page to see how things stand now, then try again.")
    if status == 413:
        return Telling("Too large", f"What you sent is larger than the engine accepts "
                       f"({MAX_REQUEST_BYTES // (1024 * 1024)} MB at most).", "Go back and send something smaller.")
    if status == 422:
        return Telling("Not accepted", said, "Go back, correct it and send it again.")
    if status >= 500:
        return Telling("Something went wrong", "The engine could not complete this request.",
                       "Try again in a moment. If it keeps happening, tell the system's operators"
                       + (", quoting the reference below." if problem.reference else "."))
    return Telling(problem.title, said, "Go back and try again, or start again from your home page.")


def _sentence(detail: str) -> str:
    """An error message as a sentence: a capital first letter and a full stop."""
    text = detail.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _caller_if_known() -> Principal | None:
    """The signed-in person, or None: also when the lookup itself fails (the database that
    caused a 500 may still be down), so the page is shown without navigation."""
    try:
        return signed_in()
    except Exception:  # noqa: BLE001 - logged; the page still tells the person what happened
        log.exception("error_page_caller_unknown")
        return None
