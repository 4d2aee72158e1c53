"""The problem types the engine answers with, each a page the app serves at `/problems/<slug>`
(the `type` of every problem+json body points there, RFC 9457 §3.1.1), and `/problems` listing
them: what the problem means and what a caller does about it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from flask import Blueprint, Response, abort

PROBLEM_PAGES = "/problems/"
"""The `type` of a problem is this plus its slug: a reference the app itself resolves."""

blueprint = Blueprint("problem_types", __name__)


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: str
    title: str
    meaning: str
    remedy: str


CATALOGUE: dict[str, ProblemType] = {kind.slug: kind for kind in (
    ProblemType("bad-request", "400", "Bad request",
                "The request could not be read: the body is not valid JSON (or nests too deep, or holds NaN), "
                "or a query parameter is not a value the route takes. `field` names the parameter when there "
                "is one.", "Correct the request as `detail` says and send it again."),
    ProblemType("form-expired", "400", "Form expired",
                "A console form came back without this session's CSRF token.", "Reload the page and send it again."),
    ProblemType("unauthenticated", "401", "Unauthenticated",
                "No token, or a token that is unknown, revoked or expired, or whose agency is disabled.",
                "Send `Authorization: Bearer <token>` with a token that is active (`iccc tokens list`)."),
    ProblemType("forbidden", "403", "Forbidden",
                "The caller is known, but its role may not do this.",
                "Use a token of a role the operation lists (the OpenAPI document says which)."),
    ProblemType("not-found", "404", "Not found",
                "Nothing is at this address, or it is not the caller's to see (an agency sees only its own).",
                "Check the identifier."),
    ProblemType("method-not-allowed", "405", "Method not allowed",
                "The address does not take this method; `Allow` lists those it does.", "Use one of them."),
    ProblemType("conflict", "409", "Conflict",
                "The request is valid but clashes with how things stand (an illegal status move, a name taken, "
                "a version already retired).", "Read the resource again and decide anew."),
    ProblemType("run-conflict", "409", "Run conflict",
                "An SOP run cannot take this event in its state (it has finished, or has no such task).",
                "Read the incident's runs again."),
    ProblemType("request-entity-too-large", "413", "Body too large",
                "The body is larger than the engine accepts.", "Send a smaller body (split a batch)."),
    ProblemType("unsupported-media-type", "415", "Unsupported media type",
                "The body's `Content-Type` is not one the operation takes.",
                "Send the content type the OpenAPI document lists for the operation."),
    ProblemType("invalid-input", "422", "Invalid input",
                "A value is wrong: missing, of the wrong type, out of range, or one no database stores (a NUL "
                "character, an integer past 2147483647). `field` names it as a dotted path; `errors` lists "
                "every one.", "Correct the field and send it again."),
    ProblemType("invalid-sop", "422", "Invalid SOP",
                "An SOP file is not valid; `errors` gives each problem with its line.", "Fix the lines named."),
    ProblemType("invalid-rule", "422", "Invalid trigger rule",
                "A trigger rule file is not valid; `errors` gives each problem with its line.",
                "Fix the lines named."),
    ProblemType("too-many-attempts", "429", "Too many attempts",
                "Too many failed sign-ins for this name or address.", "Wait for `Retry-After` seconds."),
    ProblemType("http-error", "4xx", "HTTP error",
                "A refusal by the HTTP layer itself (a header or an address too long, and the like).",
                "Read `title` and `detail`."),
    ProblemType("internal", "500", "Internal error",
                "The engine failed to complete the request; nothing was changed. The operators find the "
                "traceback in the log by the reference the console shows.", "Try again; tell the operators."),
    ProblemType("not-ready", "503", "Not ready",
                "The database is unreachable or its schema is not current (`/readyz`).",
                "Wait, or run `iccc db upgrade`."),
)}


def type_uri(slug: str) -> str:
    return PROBLEM_PAGES + slug


def known_slug(slug: str) -> str:
    """`slug` if it has a page, else the generic `http-error` (for the HTTP layer's own refusals)."""
    return slug if slug in CATALOGUE else "http-error"


@blueprint.get("/problems")
def problem_list() -> Response:
    """Every problem type the engine answers with."""
    items = "".join(f'<li><a href="{type_uri(kind.slug)}">{escape(kind.title)}</a> ({kind.status}): '
                    f"{escape(kind.meaning)}</li>" for kind in CATALOGUE.values())
    return _page("Problem types", f"<p>Errors are <code>application/problem+json</code> (RFC 9457); "
                 f"each <code>type</code> is one of these pages.</p><ul>{items}</ul>")


@blueprint.get("/problems/<slug>")
def problem_page(slug: str) -> Response:
    """What one problem type means and what to do about it."""
    kind = CATALOGUE.get(slug)
    if kind is None:
        abort(404)
    return _page(f"{kind.title} ({kind.status})",
                 f"<p>{escape(kind.meaning)}</p><p><strong>What to do:</strong> {escape(kind.remedy)}</p>"
                 f'<p><a href="/problems">Every problem type</a></p>')


def _page(title: str, body: str) -> Response:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · ICCC</title>'
            f"</head><body><h1>{escape(title)}</h1>{body}</body></html>")
    return Response(html, mimetype="text/html")
