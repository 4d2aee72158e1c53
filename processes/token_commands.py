"""`iccc tokens ...`: API tokens for people and integrations: create (with an expiry), list with
their last use, revoke."""

from __future__ import annotations

from datetime import timedelta

import click

from coordination import SYSTEM, Role, Store
from coordination.api_tokens import create_token, revoke_token, token_json, token_named, tokens_query
from sop_engine import parse_duration_s
from web.app.clock import WallClock
from web.app.config import Settings


def _store() -> Store:
    return Store(Settings.from_environment().database_url)


def _duration(_ctx, _param, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return timedelta(seconds=parse_duration_s(value))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.group()
def tokens() -> None:
    """API tokens for people and integrations."""


@tokens.command("create")
@click.option("--name", required=True, help="Who holds it, e.g. night-shift-duty-officer.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role if role is not Role.AGENCY]))
@click.option("--expires-in", callback=_duration, default=None, metavar="DURATION",
              help="Refuse it after this long, e.g. 90d or 12h (default: until revoked).")
def tokens_create(name: str, role: str, expires_in: timedelta | None) -> None:
    """Create a token for a person or integration; prints it once."""
    with _store().transaction() as session:
        issued = create_token(session=session, clock=WallClock(), name=name, role=Role(role), actor=SYSTEM,
                              expires_in=expires_in)
        token_id, expires_at = issued.record.id, issued.record.expires_at
    until = f", expires {expires_at.isoformat()}" if expires_at else ""
    click.echo(f"token {token_id} for {name} ({role}{until}), shown once: {issued.token}")


@tokens.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Also revoked and expired tokens.")
def tokens_list(include_inactive: bool) -> None:
    """Tokens, newest first: id, holder, role (and agency), status, created, expires, last used."""
    now = WallClock().now()
    with _store().transaction() as session:
        rows = [token_json(record, now)
                for record in session.scalars(tokens_query(include_inactive=include_inactive, now=now)).unique()]
    if not rows:
        click.echo("no tokens" if include_inactive else "no active tokens (--all lists revoked and expired ones)")
        return
    click.echo("id\tname\trole\tstatus\tcreated\texpires\tlast used")
    for row in rows:
        role = f"{row['role']}:{row['agency_code']}" if row["agency_code"] else row["role"]
        click.echo("\t".join([row["id"], row["name"], role, row["status"], _minute(row["created_at"]),
                              _minute(row["expires_at"]) or "never", _minute(row["last_used_at"]) or "never"]))


@tokens.command("revoke")
@click.argument("token")
def tokens_revoke(token: str) -> None:
    """Revoke a token by its id (or its holder's name, if one active token has it); calls with it
    are refused from now on."""
    with _store().transaction() as session:
        record = revoke_token(session=session, clock=WallClock(), token_id=token_named(session, token).id,
                              actor=SYSTEM)
        click.echo(f"revoked token {record.id} of {record.name} ({record.role.value})")


def _minute(moment: str | None) -> str:
    """An ISO time to the minute, as a person reads a list ('2026-12-05T07:31Z')."""
    return moment[:16] + "Z" if moment else ""
