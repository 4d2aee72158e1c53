"""Every request's input checked against `coordination.input_limits` where it enters: the path's
parameters, the query and a form before any view runs, and a JSON body as it is read (every
`request.get_json()`, so `json_body` too). A value no database can store (a NUL character, an
integer past the column's range) or a body no parser should recurse through is refused here, for
every route at once, as a 4xx naming the field. Bodies a route parses itself (YAML, CAP XML,
SenML through msgspec) keep the same limits in their own readers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider

from coordination.input_limits import MalformedJson, check_document, check_integer, check_text, parse_json
from web.app.problems import BadRequestBody

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading through `parse_json`: nesting limited, NaN and Infinity refused."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return parse_json(s)


class LimitedRequest(Request):
    """A request whose JSON body is checked as it is read: an unreadable one is a problem saying
    why (not a bare 400), a value no database stores is a 422 naming its field."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        document = super().get_json(force=force, silent=silent, cache=cache)
        check_document(document)
        return document

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            raise BadRequestBody("send the body as JSON with `Content-Type: application/json`", status=415)
        reason = str(e) if isinstance(e, MalformedJson) else "the body is not valid JSON"
        raise BadRequestBody(reason)


def check_request_input() -> None:
    """Refuse the request if its path, query or form holds what no database stores.

    Raises:
        InvalidInput: naming the path parameter, query parameter or form field (422).
    """
    for name, value in (request.view_args or {}).items():
        _check_value(value, field=name)
    for name, value in request.args.items(multi=True):
        check_text(name, field=name)
        check_text(value, field=name)
    if request.mimetype in FORM_TYPES:
        for name, value in request.form.items(multi=True):
            check_text(name, field=name)
            check_text(value, field=name)


def install(app: Flask) -> None:
    """Make `app` read JSON through the limits and check every request's input before its view."""
    app.json = LimitedJSONProvider(app)
    app.request_class = LimitedRequest
    app.before_request(check_request_input)


def _check_value(value: Any, *, field: str) -> None:
    if isinstance(value, str):
        check_text(value, field=field)
    elif isinstance(value, int) and not isinstance(value, bool):
        check_integer(value, field=field)
