"""What the administrators' console forms share: the role check, and turning the use cases'
errors into a message beside the field that caused them (never a 500, never a bare status)."""

from __future__ import annotations

from flask import request
from pydantic import ValidationError

from coordination import Conflict, InvalidInput, NotFound, Principal, Role
from sop_engine import IcccError
from web.console.access import console_caller, require_csrf

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

FieldErrors = dict[str, str]
"""Form field name to the message shown beside it ("form" for the form as a whole)."""

FORM_ERROR_STATUS = 422

LOCATION_FIELDS = {"location.coordinates.0": "longitude", "location.coordinates.1": "latitude",
                   "location.coordinates": "longitude", "location": "longitude"}
"""The forms take longitude and latitude apart; the use cases take a GeoJSON point."""


def administrator() -> Principal:
    """The signed-in administrator (sign-in page or 403 otherwise). Every admin page starts here."""
    return console_caller(ADMINISTRATORS)


def administrator_posting() -> Principal:
    """For a form post: the signed-in administrator, and this session's CSRF token."""
    caller = administrator()
    require_csrf()
    return caller


def field_errors(error: Exception, *, aliases: dict[str, str] | None = None) -> FieldErrors:
    """The messages of a refused use case, by form field.

    `aliases` maps a model's field path (`location.coordinates.0`) to the form's field
    (`longitude`); a path with no alias keeps its first part (`location`).
    """
    aliases = aliases or {}
    if isinstance(error, ValidationError):
        found: FieldErrors = {}
        for detail in error.errors(include_url=False):
            path = ".".join(str(part) for part in detail["loc"])
            name = aliases.get(path) or aliases.get(str(detail["loc"][0])) or str(detail["loc"][0])
            found.setdefault(name, detail["msg"].removeprefix("Value error, "))
        return found
    if isinstance(error, InvalidInput) and error.field:
        return {aliases.get(error.field, error.field): str(error)}
    if isinstance(error, (InvalidInput, Conflict, NotFound, IcccError)):
        return {"form": str(error)}
    raise error


def form_text(name: str) -> str:
    return request.form.get(name, "").strip()


def optional_text(name: str) -> str | None:
    return form_text(name) or None


def point_from_form() -> dict:
    """The form's `longitude` and `latitude` as a GeoJSON point, for the use case to check."""
    return {"type": "Point", "coordinates": [form_text("longitude"), form_text("latitude")]}
