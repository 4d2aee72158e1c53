"""Every error mapped from the error hierarchy here and nowhere else: as `application/problem+json`
(RFC 9457) for the API and the console's scripts, or as a page in the console's layout for a
person's browser. Views raise; they never build error responses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import structlog
from flask import Flask, Response, current_app, json, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from coordination import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from coordination.geojson import FeatureCollectionRejected
from coordination.intake import ReadingsRefused
from coordination.rules import RuleDefinitionError
from sop_engine import IcccError, SopDefinitionError, SopRuntimeError
from web.app.problem_types import known_slug, type_uri

log = structlog.get_logger(__name__)



CONSOLE_PREFIX = "/console"
"""Every console page is under this prefix, except the board at `/`."""
API_ROOT = "/api"


class BadRequestBody(IcccError):
    """The body is not what the route takes (not JSON, not an object)."""

    def __init__(self, message: str, *, field: str = "", status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


class FormExpired(IcccError):
    """A console form came back without this session's CSRF token: opened before the session
    began (signed out and in again, the server's key changed) or forged by another site."""


STATUS_OF: list[tuple[type[Exception], int, str]] = [
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (TooManyAttempts, 429, "too-many-attempts"),
    (Conflict, 409, "conflict"),
    # An event the run cannot take in its state (a finished run, a task it does not have): the
    # caller's request conflicts with the run as it is, like any other state conflict.
    (SopRuntimeError, 409, "run-conflict"),
    (RuleDefinitionError, 422, "invalid-rule"),
    (SopDefinitionError, 422, "invalid-sop"),
    (InvalidInput, 422, "invalid-input"),
    (ValidationError, 422, "invalid-input"),
    (FormExpired, 400, "form-expired"),
    (BadRequestBody, 400, "bad-request"),
]
"""Each error class and its status, most specific first: the one place a status is chosen for an
error. Console forms that show an error beside a field ask `status_for` too."""


def mapped(error: Exception) -> tuple[int, str]:
    """The status and problem slug of an error (500, `internal` for one not in the map)."""
    for error_class, status, slug in STATUS_OF:
        if isinstance(error, error_class):
            return (error.status if isinstance(error, BadRequestBody) else status), slug
    return 500, "internal"


def status_for(error: Exception) -> int:
    return mapped(error)[0]


@dataclass(frozen=True)
class Problem:
    """One error as the engine reports it, whoever reads it."""

    status: int
    slug: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    allowed_methods: tuple[str, ...] = ()
    """For 405: the methods the address takes."""
    reference: str = ""
    """For an unexpected error: the id logged beside its traceback, for the operators to find it."""
    retry_after_s: int | None = None

    def as_json(self) -> Response:
        body = {"type": type_uri(self.slug), "title": self.title, "status": self.status,
                "detail": self.detail, **self.extra}
        response = Response(json.dumps(body), status=self.status, mimetype="application/problem+json")
        if self.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="iccc"'
        if self.allowed_methods:
            response.headers["Allow"] = ", ".join(self.allowed_methods)
        if self.retry_after_s is not None:
            response.headers["Retry-After"] = str(self.retry_after_s)
        return response


ErrorPage = Callable[[Problem], Response]
"""Renders a problem as a console page (status and headers included)."""


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    return Problem(status, slug, title, detail, extra).as_json()


def field_path(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def read_by_scripts(view: Callable) -> Callable:
    """Mark a console route that a page's script fetches: its errors stay problem+json, which the
    script reads (a 401 to reload into the sign-in page, a `detail` to show beside a field)."""
    view.read_by_scripts = True
    return view


def is_console_page() -> bool:
    """Whether this request is a person's browser on a console page, so its error is a page.

    Decided by the route: a console route is a page unless a script reads it; the API and the
    other routes outside the console (health, metrics, the public feed) keep problem+json. An
    address that matches no route (or not with this method) outside the API is a page when the
    browser asks for HTML before JSON: a person who mistypes an address reads a page.
    """
    path = request.path
    if path == API_ROOT or path.startswith(API_ROOT + "/"):
        return False
    if request.url_rule is not None:
        if not (path == "/" or path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")):
            return False
        return not getattr(current_app.view_functions.get(request.endpoint), "read_by_scripts", False)
    # Ties go to JSON: fetch() sends */*, a browser opening a page lists text/html first.
    best = request.accept_mimetypes.best_match(["application/problem+json", "application/json", "text/html"])
    return best == "text/html"


def register_error_handlers(app: Flask, *, page: ErrorPage | None = None) -> None:
    """Answer every error as problem+json, or as `page` on a console page (when given)."""

    def respond(found: Problem) -> Response:
        if page is None or not is_console_page():
            return found.as_json()
        try:
            return page(found)
        except Exception:  # noqa: BLE001 - a broken error page must not hide the error it reports
            log.exception("error_page_failed", status=found.status, reference=found.reference)
            return found.as_json()

    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        errors = [
            {"field": field_path(detail["loc"]), "message": detail["msg"].removeprefix("Value error, ")}
            for detail in error.errors(include_url=False)
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        # A rule over the whole body (a model validator) names no field: its message stands alone.
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return respond(Problem(status_for(error), "invalid-input", "Invalid input", detail,
                               {"field": first["field"], "errors": errors}))

    @app.errorhandler(BadRequestBody)
    def _bad_body(error: BadRequestBody) -> Response:
        return respond(Problem(status_for(error), "bad-request", "Bad request", str(error), {"field": error.field}))

    @app.errorhandler(FormExpired)
    def _form_expired(error: FormExpired) -> Response:
        return respond(Problem(status_for(error), "form-expired", "Form expired", str(error)))

    @app.errorhandler(SopDefinitionError)
    def _invalid_sop(error: SopDefinitionError) -> Response:
        errors = [{"line": item.line, "field": item.field, "message": item.message} for item in error.problems]
        return respond(Problem(status_for(error), "invalid-sop", "Invalid SOP", str(error), {"errors": errors}))

    @app.errorhandler(RuleDefinitionError)
    def _invalid_rule(error: RuleDefinitionError) -> Response:
        errors = [{"line": item.line, "field": item.field, "message": item.message} for item in error.problems]
        return respond(Problem(status_for(error), "invalid-rule", "Invalid trigger rule", str(error),
                               {"errors": errors}))

    @app.errorhandler(ReadingsRefused)
    def _readings_refused(error: ReadingsRefused) -> Response:
        errors = [{"problem": item.problem, "message": item.reason, "sensor_id": item.sensor_id}
                  for item in error.refusals]
        return respond(Problem(422, "invalid-input", "Readings refused", str(error),
                               {"field": error.field, "errors": errors}))

    @app.errorhandler(FeatureCollectionRejected)
    def _bad_import(error: FeatureCollectionRejected) -> Response:
        errors = [{"index": item.index, "message": item.reason} for item in error.problems]
        return respond(Problem(status_for(error), "invalid-input", "Invalid input", str(error),
                               {"field": error.field, "errors": errors}))

    @app.errorhandler(IcccError)
    def _domain(error: IcccError) -> Response:
        status, slug = mapped(error)
        if status != 500:
            extra = {"field": error.field} if isinstance(error, InvalidInput) and error.field else {}
            retry_after_s = error.retry_after_s if isinstance(error, TooManyAttempts) else None
            return respond(Problem(status, slug, slug.replace("-", " ").capitalize(), str(error), extra,
                                   retry_after_s=retry_after_s))
        reference = _reference()
        log.error("unmapped_error", error_type=type(error).__name__, detail=str(error), reference=reference)
        return respond(Problem(500, "internal", "Internal error", "the engine could not complete the request",
                               reference=reference))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        detail = {
            404: "no such resource",
            405: "this method is not allowed here",
            413: "the request body is larger than the engine accepts",
        }.get(status, error.description or error.name)
        allowed = tuple(getattr(error, "valid_methods", None) or ()) if status == 405 else ()
        return respond(Problem(status, known_slug(error.name.lower().replace(" ", "-")), error.name, detail,
                               allowed_methods=allowed))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        reference = _reference()
        log.exception("unhandled_error", error_type=type(error).__name__, reference=reference)
        return respond(Problem(500, "internal", "Internal error", "the engine could not complete the request",
                               reference=reference))


def _reference() -> str:
    """A short id for one unexpected error, logged with it and shown to the person who met it."""
    return uuid.uuid4().hex[:12]
