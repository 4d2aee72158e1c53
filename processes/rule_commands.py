"""`iccc rules ...`: trigger-rule files (validate, schema need no database) and the stored rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import select

from coordination import SYSTEM, Store
from coordination.rule_service import (
    activate_rule_version,
    install_shipped_rules,
    retire_rule_version,
    store_rule_version,
)
from coordination.rules import RuleDefinitionError, describe_rule, load_rule_file, rule_json_schema
from coordination.store.tables import RuleVersion
from web.app.clock import WallClock
from web.app.config import Settings


@click.group()
def rules() -> None:
    """Trigger rules: what sensor readings start incidents, alerts and maintenance."""


def _store() -> Store:
    return Store(Settings.from_environment().database_url)


def _report(error: RuleDefinitionError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def rules_validate(paths: tuple[Path, ...]) -> None:
    """Check rule files; print `file:line: message` for each problem, exit 1 if any.

    A valid file gets one line saying what the rule watches, when it fires and what it does.
    """
    failed = False
    for path in paths:
        try:
            rule = load_rule_file(path)
        except RuleDefinitionError as error:
            failed = True
            _report(error)
            continue
        click.echo(f"{path}: {rule.ref} valid: {describe_rule(rule)}")
    sys.exit(1 if failed else 0)


@rules.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of the rule format."""
    click.echo(json.dumps(rule_json_schema(), indent=2, sort_keys=True))


@rules.command("install-shipped")
def rules_install_shipped() -> None:
    """Store and activate every shipped rule version not yet in the database."""
    store = _store()
    with store.transaction() as session:
        added = install_shipped_rules(session=session, clock=WallClock(), actor=SYSTEM)
    click.echo(f"installed {len(added)} rule version(s)" + (": " + ", ".join(map(str, added)) if added else ""))


@rules.command("upload")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--stage", is_flag=True, help="Store it without activating it.")
def rules_upload(path: Path, stage: bool) -> None:
    """Validate and store a rule file; activated unless --stage."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read the file: {error}") from error
    store = _store()
    try:
        with store.transaction() as session:
            version = store_rule_version(session=session, clock=WallClock(), text=text, source=str(path),
                                         actor=SYSTEM, activate=not stage)
            ref, active = f"{version.rule_id}@v{version.version}", version.is_active
    except RuleDefinitionError as error:
        _report(error)
        sys.exit(1)
    click.echo(f"stored {ref} ({'active' if active else 'staged'})")


@rules.command("list")
def rules_list() -> None:
    """Every stored rule version with its status."""
    store = _store()
    with store.transaction() as session:
        versions = session.scalars(select(RuleVersion).order_by(RuleVersion.rule_id, RuleVersion.version)).all()
        for version in versions:
            status = "retired" if version.retired_at else "active" if version.is_active else "staged"
            click.echo(f"{version.rule_id}@v{version.version}\t{status}\t{version.sensor_kind}\t{version.title}")


@rules.command("activate")
@click.argument("rule_id")
@click.argument("version", type=int)
def rules_activate(rule_id: str, version: int) -> None:
    """Make this version the one the engine evaluates."""
    with _store().transaction() as session:
        activate_rule_version(session=session, clock=WallClock(), rule_id=rule_id, version=version, actor=SYSTEM)
    click.echo(f"{rule_id}@v{version} active")


@rules.command("retire")
@click.argument("rule_id")
@click.argument("version", type=int)
def rules_retire(rule_id: str, version: int) -> None:
    """Retire this version for good."""
    with _store().transaction() as session:
        retire_rule_version(session=session, clock=WallClock(), rule_id=rule_id, version=version, actor=SYSTEM)
    click.echo(f"{rule_id}@v{version} retired")
