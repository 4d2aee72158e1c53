"""Query parameters, declared once on the view that reads them: the declaration parses the value
(a 400 naming the parameter when it is wrong) and describes it in the OpenAPI document, so the two
cannot drift. A view reads only what it declared: `arg(name)` for an undeclared name is the
engine's own fault (an `UndeclaredQueryParameter`, a 500 the tests catch), never a silent read.

    @blueprint.get("/tasks")
    @api(...)
    @takes_query(choice("status", TaskStatus, "only tasks in this status"), *page())
    def list_tasks():
        status = arg("status")
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

from flask import current_app, request

from web.app.problems import BadRequestBody

MAX_PAGE = 500


class UndeclaredQueryParameter(RuntimeError):
    """A view read a query parameter it did not declare: the OpenAPI document would not list it."""


@dataclass(frozen=True)
class QueryParameter:
    name: str
    description: str
    schema: dict[str, Any]
    parse: Callable[[str], Any] = field(compare=False)
    """Turn the raw text into the value; raise ValueError with the message for a wrong one."""
    default: Any = None

    def read(self) -> Any:
        raw = request.args.get(self.name)
        if raw is None:
            return self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            raise BadRequestBody(f"query parameter {self.name!r} {error}", field=self.name) from None

    def openapi(self) -> dict[str, Any]:
        schema = dict(self.schema)
        if self.default is not None:
            schema["default"] = self.default.value if isinstance(self.default, Enum) else self.default
        return {"name": self.name, "in": "query", "required": False, "description": self.description,
                "schema": schema}


def takes_query(*parameters: QueryParameter | tuple[QueryParameter, ...]) -> Callable:
    """Declare the query parameters a view reads (put it below `@api`, which keeps it)."""
    flat: list[QueryParameter] = []
    for item in parameters:
        flat.extend(item if isinstance(item, tuple) else (item,))

    def declare(view: Callable) -> Callable:
        view.query_parameters = {parameter.name: parameter for parameter in flat}
        return view

    return declare


def declared_query(view: Callable) -> dict[str, QueryParameter]:
    return getattr(view, "query_parameters", {})


def arg(name: str) -> Any:
    """The value of the current view's declared query parameter `name` (its default if absent).

    Raises:
        BadRequestBody: the value is not one the parameter takes (400, naming it).
        UndeclaredQueryParameter: the view did not declare `name`.
    """
    parameter = declared_query(current_app.view_functions[request.endpoint]).get(name)
    if parameter is None:
        raise UndeclaredQueryParameter(f"{request.endpoint} reads query parameter {name!r} without declaring it")
    return parameter.read()


def integer(name: str, description: str, *, default: int, minimum: int, maximum: int) -> QueryParameter:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return value

    return QueryParameter(name, description, {"type": "integer", "minimum": minimum, "maximum": maximum}, parse,
                          default)


def choice(name: str, enum_class: type[Enum], description: str, *, default: Enum | None = None) -> QueryParameter:
    values = [member.value for member in enum_class]

    def parse(raw: str) -> Enum:
        try:
            return enum_class(raw)
        except ValueError:
            raise ValueError(f"must be one of: {', '.join(values)}") from None

    return QueryParameter(name, description, {"type": "string", "enum": values}, parse, default)


def words(name: str, values: tuple[str, ...] | list[str], description: str) -> QueryParameter:
    """One of a fixed set of words that are not an Enum."""

    def parse(raw: str) -> str:
        if raw not in values:
            raise ValueError(f"must be one of: {', '.join(values)}")
        return raw

    return QueryParameter(name, description, {"type": "string", "enum": list(values)}, parse)


def boolean(name: str, description: str, *, default: bool | None = None) -> QueryParameter:
    def parse(raw: str) -> bool:
        if raw.lower() not in ("true", "false"):
            raise ValueError("must be true or false")
        return raw.lower() == "true"

    return QueryParameter(name, description, {"type": "boolean"}, parse, default)


def text(name: str, description: str, *, max_length: int = 200) -> QueryParameter:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return raw

    return QueryParameter(name, description, {"type": "string", "maxLength": max_length}, parse)


def identifier(name: str, description: str) -> QueryParameter:
    def parse(raw: str) -> uuid.UUID:
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise ValueError("must be a UUID") from None

    return QueryParameter(name, description, {"type": "string", "format": "uuid"}, parse)


def page(*, default_limit: int = 100) -> tuple[QueryParameter, QueryParameter]:
    """`limit` and `offset`, read by `web.api.listing.page_of`."""
    return (integer("limit", "How many items at most", default=default_limit, minimum=1, maximum=MAX_PAGE),
            integer("offset", "How many items to skip", default=0, minimum=0, maximum=10**9))
