"""`iccc` commands for agencies, routing, webhooks and the timeline (attached in `processes.cli`)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import func, select

from coordination import SYSTEM, InvalidInput, NotFound, Store, verify_chain
from coordination.agencies import (
    agency_by_code,
    enable_webhook,
    rotate_agency_token,
    rotate_webhook_secret,
)
from coordination.agency_import import (
    AgencyImportRejected,
    import_agencies,
    parse_feature_collection,
)
from coordination.assignment import set_overlap_rule
from coordination.audit import Head, check_kept_head, current_head
from coordination.errors import Conflict
from coordination.routing import OverlapRule
from coordination.store.tables import TimelineEntry
from coordination.webhooks import (
    dead_letters_query,
    replay_all_dead_letters,
    replay_dead_letter,
)
from sop_engine import AgencyRole
from processes.feature_files import refuse_file
from web.app.clock import WallClock
from web.app.config import Settings


def _store() -> tuple[Settings, Store]:
    settings = Settings.from_environment()
    return settings, Store(settings.database_url)


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def agencies_import(path: Path) -> None:
    """Import agencies and jurisdictions from a GeoJSON FeatureCollection, all or nothing.

    Each feature is an agency: properties code, name, kind (and optionally webhook_url, priority,
    chain_of_command); its Polygon or MultiPolygon geometry is the jurisdiction (null: city-wide).
    Prints `FILE: feature N: reason` for every bad feature and exits 1 without importing any.
    """
    settings, store = _store()
    try:
        with store.transaction() as session:
            features = parse_feature_collection(path.read_text(encoding="utf-8", errors="replace"))
            result = import_agencies(session=session, clock=WallClock(), features=features,
                                     allowed_hosts=settings.allowed_webhook_hosts, actor=SYSTEM)
    except AgencyImportRejected as error:
        refuse_file(path, error)
    for item in result.registered:
        click.echo(f"registered {item.agency.code}: api token (shown once): {item.token}"
                   + (f"; webhook secret (shown once): {item.agency.webhook_secret}" if item.agency.webhook_secret
                      else ""))
    click.echo(f"{len(result.registered)} agencies registered, {len(result.updated)} updated")


@click.command("rotate-token")
@click.argument("code")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="Expiry of the new token.")
def agencies_rotate_token(code: str, expires_in_days: int | None) -> None:
    """Give an agency a new API token and revoke its older ones; prints it once."""
    _settings, store = _store()
    clock = WallClock()
    expires_at = clock.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with _cli_errors(), store.transaction() as session:
        token = rotate_agency_token(session=session, clock=clock, agency=agency_by_code(session, code),
                                    actor=SYSTEM, expires_at=expires_at)
    click.echo(f"new api token for {code} (shown once): {token}")


@click.command("rotate-secret")
@click.argument("code")
def agencies_rotate_secret(code: str) -> None:
    """Rotate an agency's webhook secret; both secrets sign messages for a day. Prints it once."""
    _settings, store = _store()
    with _cli_errors(), store.transaction() as session:
        agency = agency_by_code(session, code)
        secret = rotate_webhook_secret(session=session, clock=WallClock(), agency=agency, actor=SYSTEM)
        until = agency.previous_secret_expires_at
    click.echo(f"new webhook secret for {code} (shown once): {secret}\nthe old secret also signs until {until}")


@click.command("enable-webhook")
@click.argument("code")
@click.option("--url", default=None, help="A new webhook URL, if the endpoint moved.")
def agencies_enable_webhook(code: str, url: str | None) -> None:
    """Re-enable an endpoint disabled by 410 Gone; held messages are sent again."""
    settings, store = _store()
    with _cli_errors(), store.transaction() as session:
        agency = enable_webhook(session=session, clock=WallClock(), agency=agency_by_code(session, code),
                                actor=SYSTEM, allowed_hosts=settings.allowed_webhook_hosts, webhook_url=url)
        click.echo(f"webhook endpoint of {code} enabled: {agency.webhook_url}")


@click.group()
def routing() -> None:
    """How tasks are routed to agencies."""


@routing.command("set-overlap")
@click.option("--role", required=True, type=click.Choice([role.value for role in AgencyRole]))
@click.option("--rule", required=True, type=click.Choice([rule.value for rule in OverlapRule]),
              help="primary: one agency (lowest priority); all: every agency whose jurisdiction covers the place.")
def routing_set_overlap(role: str, rule: str) -> None:
    """Choose how overlapping jurisdictions of one role share a task."""
    _settings, store = _store()
    with store.transaction() as session:
        set_overlap_rule(session=session, role=AgencyRole(role), overlap=OverlapRule(rule), at=WallClock().now())
    click.echo(f"{role}: overlapping jurisdictions -> {rule}")


@click.group()
def webhooks() -> None:
    """Webhook delivery: dead letters and replays."""


@webhooks.command("dead-letters")
def webhooks_dead_letters() -> None:
    """List the messages that used every attempt."""
    _settings, store = _store()
    with store.transaction() as session:
        messages = session.scalars(dead_letters_query()).unique().all()
        for message in messages:
            click.echo(f"{message.id}  {message.agency.code}  {message.event_type}  attempts={message.attempts}  "
                       f"{message.last_error}")
    click.echo(f"{len(messages)} dead letter(s)")


@webhooks.command("replay")
@click.argument("webhook_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter whose endpoint is enabled.")
def webhooks_replay(webhook_ids: tuple[str, ...], replay_all: bool) -> None:
    """Send dead letters again (same webhook-id, a fresh round of attempts)."""
    if not webhook_ids and not replay_all:
        raise click.UsageError("name the webhook ids to replay, or pass --all")
    _settings, store = _store()
    with _cli_errors(), store.transaction() as session:
        if replay_all:
            replayed = replay_all_dead_letters(session=session, clock=WallClock(), actor=SYSTEM)
        else:
            replayed = [replay_dead_letter(session=session, clock=WallClock(), message_id=webhook_id,
                                           actor=SYSTEM).id for webhook_id in webhook_ids]
    click.echo(f"replayed {len(replayed)} message(s)" + (": " + ", ".join(replayed) if replayed else ""))


@click.group()
def audit() -> None:
    """The hash-chained timeline."""


def _kept_head(_context, _parameter, value: str | None) -> Head | None:
    if value is None:
        return None
    seq, _, entry_hash = value.partition(":")
    if not seq.isdigit() or len(entry_hash) != 64:
        raise click.BadParameter("give the head as SEQ:HASH, as `iccc audit verify` printed it "
                                 "(or the `timeline.head` log line)")
    return Head(int(seq), entry_hash.lower())


@audit.command("verify")
@click.option("--head", "kept", metavar="SEQ:HASH", callback=_kept_head,
              help="A head kept elsewhere earlier: it must still be in the timeline, unchanged.")
def audit_verify(kept: Head | None) -> None:
    """Check the timeline's hash chain; report the first altered, inserted or deleted entry (exit 1).

    Prints the head as SEQ:HASH when intact: keep it elsewhere (the shift log; the server logs it
    as `timeline.head` every 15 minutes), and give it back with --head, so that a removal of the
    newest entries shows too.
    """
    _settings, store = _store()
    with store.transaction() as session:
        broken = verify_chain(session) or (check_kept_head(session, kept) if kept else None)
        count = session.scalar(select(func.count()).select_from(TimelineEntry))
        head = current_head(session)
    if broken is not None:
        click.echo(f"timeline broken at entry {broken.seq}: {broken.reason}", err=True)
        sys.exit(1)
    click.echo(f"timeline intact: {count} entries" + (f", head {head.seq}:{head.entry_hash}" if head else "")
               + (f"; the kept head {kept.seq} is in it" if kept else ""))


class _cli_errors:  # noqa: N801 - used as a context manager, reads as a phrase
    """Turn the engine's deliberate errors into a one-line message and exit status 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is not None and isinstance(error, (NotFound, Conflict, InvalidInput)):
            raise click.ClickException(str(error))
        return False
