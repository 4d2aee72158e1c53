"""`iccc users ...`: console accounts for people (integrations use `iccc tokens create`)."""

from __future__ import annotations

import sys

import click
from pydantic import ValidationError

from coordination import SYSTEM, Conflict, InvalidInput, NotFound, Role, Store
from coordination.users import MIN_PASSWORD_LENGTH, NewUser, create_user, set_password
from web.app.clock import WallClock
from web.app.config import Settings


@click.group()
def users() -> None:
    """Console accounts: people who sign in with a username and password."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", "display_name", help="The person's name as shown on the console (default: the username).")
@click.option("--agency", "agency_code", help="For agency users: the code of their agency.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_add(username: str, role: str, display_name: str | None, agency_code: str | None,
              password_stdin: bool) -> None:
    """Create a console account (the password is asked twice, or read with --password-stdin;
    at least 12 characters; it is stored only as an argon2 hash)."""
    try:
        new_user = NewUser(username=username, display_name=display_name or username, role=Role(role),
                           password=_password(password_stdin), agency_code=agency_code)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            field = ".".join(str(part) for part in detail["loc"])
            message = f"at least {MIN_PASSWORD_LENGTH} characters" if field == "password" else detail["msg"]
            click.echo(f"iccc users add: {field}: {message}", err=True)
        sys.exit(2)
    store = Store(Settings.from_environment().database_url)
    try:
        with store.transaction() as session:
            user = create_user(session=session, clock=WallClock(), new_user=new_user, actor=SYSTEM)
            click.echo(f"created {user.username} ({user.role.value})")
    except (Conflict, InvalidInput) as error:
        field = f"{error.field}: " if isinstance(error, InvalidInput) and error.field else ""
        click.echo(f"iccc users add: {field}{error}", err=True)
        sys.exit(1)


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_set_password(username: str, password_stdin: bool) -> None:
    """Give a user a new password."""
    store = Store(Settings.from_environment().database_url)
    try:
        with store.transaction() as session:
            set_password(session=session, clock=WallClock(), username=username, password=_password(password_stdin),
                         actor=SYSTEM)
    except InvalidInput as error:
        click.echo(f"iccc users set-password: {error}", err=True)
        sys.exit(2)
    except NotFound as error:
        click.echo(f"iccc users set-password: {error}", err=True)
        sys.exit(1)
    click.echo(f"password of {username} changed")
