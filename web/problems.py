"""Every error as `application/problem+json` (RFC 9457), mapped from the error hierarchy here
and nowhere else. Views raise; they never build error responses."""

from __future__ import annotations

from typing import Any

import structlog
from flask import Flask, Response, json
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from coordination import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from coordination.agency_import import AgencyImportRejected
from sop_engine import IcccError, SopDefinitionError

log = structlog.get_logger(__name__)

PROBLEM_TYPES = "https://iccc.example/problems/"

STATUS_OF: list[tuple[type[Exception], int, str]] = [
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid-input"),
    (SopDefinitionError, 422, "invalid-sop"),
]


class BadRequestBody(IcccError):
    """The body is not what the route takes (not JSON, not an object)."""

    def __init__(self, message: str, *, field: str = "", status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_TYPES + slug, "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="iccc"'
    return response


def field_path(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        errors = [
            {"field": field_path(detail["loc"]), "message": detail["msg"].removeprefix("Value error, ")}
            for detail in error.errors(include_url=False)
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid"}
        return problem(422, "invalid-input", "Invalid input", f"{first['field']}: {first['message']}",
                       field=first["field"], errors=errors)

    @app.errorhandler(BadRequestBody)
    def _bad_body(error: BadRequestBody) -> Response:
        return problem(error.status, "bad-request", "Bad request", str(error), field=error.field)

    @app.errorhandler(SopDefinitionError)
    def _invalid_sop(error: SopDefinitionError) -> Response:
        errors = [{"line": item.line, "field": item.field, "message": item.message} for item in error.problems]
        return problem(422, "invalid-sop", "Invalid SOP", str(error), errors=errors)

    @app.errorhandler(AgencyImportRejected)
    def _bad_import(error: AgencyImportRejected) -> Response:
        errors = [{"index": item.index, "message": item.reason} for item in error.problems]
        return problem(422, "invalid-input", "Invalid input", str(error), field=error.field, errors=errors)

    @app.errorhandler(IcccError)
    def _domain(error: IcccError) -> Response:
        for error_class, status, slug in STATUS_OF:
            if isinstance(error, error_class):
                extra = {"field": error.field} if isinstance(error, InvalidInput) and error.field else {}
                return problem(status, slug, slug.replace("-", " ").capitalize(), str(error), **extra)
        log.error("unmapped_error", error_type=type(error).__name__, detail=str(error))
        return problem(500, "internal", "Internal error", "the engine could not complete the request")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        detail = {
            404: "no such resource",
            405: "this method is not allowed here",
            413: "the request body is larger than the engine accepts",
        }.get(status, error.description or error.name)
        response = problem(status, error.name.lower().replace(" ", "-"), error.name, detail)
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled_error", error_type=type(error).__name__)
        return problem(500, "internal", "Internal error", "the engine could not complete the request")
