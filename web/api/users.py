"""Console accounts for people, provisioned by an integrator's identity system (administrators only).

The same use cases as the console's Users page and `iccc users`, so the same rules and the same
timeline entries. An account always has a password: like the CLI, creating one without a
password is refused (422). Responses never carry a password or its hash.

An administrator may not disable or re-role their own account; an API token is not a person's
account, so through the API that protection has nothing to hold on to (the caller is the token).
"""

from __future__ import annotations

from flask import Blueprint, url_for
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coordination import Role
from coordination.representations import iso
from coordination.queries.agencies import agency_id_for_code, existing_user, users_query
from coordination.users import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    NewUser,
    change_role,
    create_user,
    set_account_active,
    set_password,
)
from web.api.listing import page_of
from web.api.query import arg, boolean, choice, page, takes_query, text
from web.app.context import api, json_body, principal, services, session
from web.app.problems import BadRequestBody

blueprint = Blueprint("users", __name__)


class NewUserRequest(NewUser):
    """A console account to create: `NewUser`, with the display name defaulting to the username
    as it does in the CLI and the console."""

    display_name: str = Field(default="", max_length=200,
                              description="The person's name as shown on the console (default: the username).")

    @model_validator(mode="after")
    def _named_after_the_username_by_default(self) -> NewUserRequest:
        if not self.display_name:
            self.display_name = self.username
        return self


class UserChange(BaseModel):
    """What to change on an account; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    agency_code: str | None = Field(
        default=None, max_length=64,
        description="An agency user's agency; left out with role agency, the user keeps their agency.")
    active: bool | None = None

    @field_validator("role", "active")
    @classmethod
    def _not_null(cls, value):
        # Only an explicit null reaches here (defaults are not validated): it would read as "no change".
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it as it is")
        return value


class PasswordChange(BaseModel):
    # Like `NewUser`: the password never in a repr or a validation error's text. Its length is
    # checked by `set_password`, the rule the console and the CLI use.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    password: str = Field(
        repr=False, description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters; kept only as an argon2 hash.")


def user_json(user) -> dict:
    """An account as the API shows it: never the password hash."""
    return {"id": str(user.id), "username": user.username, "display_name": user.display_name,
            "role": user.role.value, "agency_code": user.agency.code if user.agency is not None else None,
            "active": user.is_active, "created_at": iso(user.created_at),
            "password_changed_at": iso(user.password_changed_at), "last_sign_in_at": iso(user.last_sign_in_at)}


def _user_called(username: str):
    return existing_user(session(), username)


@blueprint.get("/users")
@api(Role.ADMINISTRATOR)
@takes_query(choice("role", Role, "Only accounts of this role"),
             text("agency", "Only accounts of the agency with this code", max_length=64),
             boolean("active", "Only accounts that may (true) or may not (false) sign in"), *page())
def list_users():
    """Console accounts, by username; `role`, `agency` (an agency's code) and `active` filter."""
    agency_code = arg("agency")
    agency_id = None
    if agency_code is not None:
        agency_id = agency_id_for_code(session(), agency_code)
        if agency_id is None:
            raise BadRequestBody(f"no agency has the code {agency_code!r}", field="agency")
    return page_of(users_query(role=arg("role"), agency_id=agency_id, active=arg("active")), user_json)


@blueprint.post("/users")
@api(Role.ADMINISTRATOR)
def create():
    """Create a console account with its initial password (at least 12 characters)."""
    user = create_user(session=session(), clock=services().clock, new_user=json_body(NewUserRequest),
                       actor=principal())
    return user_json(user), 201, {"Location": url_for("users.read", username=user.username)}


@blueprint.get("/users/<username>")
@api(Role.ADMINISTRATOR)
def read(username: str):
    """One console account."""
    return user_json(_user_called(username))


@blueprint.patch("/users/<username>")
@api(Role.ADMINISTRATOR)
def change(username: str):
    """Change an account's role, agency or whether it may sign in (from the person's next request)."""
    body = json_body(UserChange)
    context, caller = services(), principal()
    user = _user_called(username)
    # Both changes commit together or not at all: a refused role leaves the account as it was.
    if "active" in body.model_fields_set:
        set_account_active(session=session(), clock=context.clock, username=username, active=body.active,
                           actor=caller)
    if {"role", "agency_code"} & body.model_fields_set:
        role = body.role if "role" in body.model_fields_set else user.role
        if "agency_code" in body.model_fields_set:
            agency_code = body.agency_code
        else:
            agency_code = user.agency.code if role is Role.AGENCY and user.agency is not None else None
        change_role(session=session(), clock=context.clock, username=username, role=role, agency_code=agency_code,
                    actor=caller)
        session().flush()
        session().expire(user, ["agency"])  # change_role sets agency_id: read the agency it now names
    return user_json(user)


@blueprint.put("/users/<username>/password")
@api(Role.ADMINISTRATOR)
def change_password(username: str):
    """Give an account a new password (at least 12 characters); the old one stops working."""
    user = set_password(session=session(), clock=services().clock, username=username,
                        password=json_body(PasswordChange).password, actor=principal())
    return user_json(user)
