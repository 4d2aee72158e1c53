"""`iccc sop ...`: the SOP author's tools (validate, graph, simulate, schema) and the library.

Validation, drawing and dry runs need no database: an author can check an SOP on a laptop
before it is ever uploaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from coordination import SYSTEM, Store, install_shipped_sops
from sop_engine import (
    INCIDENT_DETAIL_FIELDS,
    SopDefinition,
    SopDefinitionError,
    critical_path,
    format_duration_s,
    load_sop_file,
    sop_json_schema,
)
from sop_engine.diagrams import to_dot, to_mermaid, to_svg
from sop_engine.dry_run import DryRunScript, dry_run, read_script
from web.app.clock import WallClock
from web.app.config import Settings


@click.group()
def sop() -> None:
    """SOP files and the SOP library."""


def _load_or_exit(path: Path) -> SopDefinition:
    try:
        return load_sop_file(path)
    except SopDefinitionError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)


def summary(definition: SopDefinition) -> str:
    """One line: what the SOP is, what it contains, and how its critical path fits its target."""
    kinds: dict[str, int] = {}
    for step in definition.steps:
        kinds[step.kind] = kinds.get(step.kind, 0) + 1
    contents = ", ".join(f"{count} {kind}{'s' if count > 1 else ''}" for kind, count in kinds.items())
    path = critical_path(definition)
    return (
        f"{definition.ref} valid: {len(definition.steps)} steps ({contents}); critical path "
        f"{format_duration_s(path.duration_s)} of target {format_duration_s(definition.target_s)}: "
        f"{' -> '.join(path.step_ids)}"
    )


@sop.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def sop_validate(paths: tuple[Path, ...]) -> None:
    """Check SOP files; print `file:line: message` for each problem, exit 1 if any.

    A valid file gets a one-line summary: its steps and its critical path against its target.
    """
    failed = False
    for path in paths:
        try:
            definition = load_sop_file(path)
        except SopDefinitionError as error:
            failed = True
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(f"{path}: {summary(definition)}")
    sys.exit(1 if failed else 0)


@sop.command("graph")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["svg", "dot", "mermaid"]), default="svg",
              show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of standard output.")
def sop_graph(path: Path, output_format: str, output: Path | None) -> None:
    """Draw the SOP's step graph with its critical path in red."""
    definition = _load_or_exit(path)
    render = {"svg": to_svg, "dot": to_dot, "mermaid": to_mermaid}[output_format]
    text = render(definition)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


def _incident_option(text: str) -> dict:
    """Parse `type=flood,severity=severe,casualties=3` into a script's incident section."""
    incident: dict = {"details": {}}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        key, separator, value = part.partition("=")
        if not separator:
            raise click.BadParameter(f"{part!r} is not key=value", param_hint="--incident")
        key, value = key.strip(), value.strip()
        if key in ("type", "severity"):
            incident[key] = value
        elif key in INCIDENT_DETAIL_FIELDS or key == "is_exercise":
            incident["details"][key] = value.lower() == "true" if value.lower() in ("true", "false") else _number(
                key, value
            )
        else:
            known = ", ".join(["type", "severity", *INCIDENT_DETAIL_FIELDS, "is_exercise"])
            raise click.BadParameter(f"unknown field {key!r}; known: {known}", param_hint="--incident")
    return incident


def _number(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(f"{key} must be a whole number or true/false, not {value!r}",
                                 param_hint="--incident") from None


@sop.command("simulate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--incident", "incident_text", help="e.g. type=flood,severity=severe,people_trapped=4")
@click.option("--script", "script_path", type=click.Path(path_type=Path),
              help="A dry-run script (YAML): how agencies, the duty officer and dispatch answer.")
def sop_simulate(path: Path, incident_text: str | None, script_path: Path | None) -> None:
    """Run the SOP with no database against scripted answers and print its timeline.

    Without a script, every agency acknowledges after 2 minutes and completes after 20, every
    decision takes its first option after 5 minutes and every public notice is approved after 3.
    `--incident` overrides the script's incident.
    """
    definition = _load_or_exit(path)
    try:
        if script_path is not None:
            script = read_script(script_path.read_text(encoding="utf-8"), source=str(script_path))
        else:
            if incident_text is None:
                raise click.UsageError("give --incident type=...,severity=... or a --script")
            script = DryRunScript.model_validate({"incident": _incident_option(incident_text)})
        if script_path is not None and incident_text is not None:
            override = _incident_option(incident_text)
            merged = {**script.incident.model_dump(mode="json"), **{k: v for k, v in override.items() if v}}
            script = script.model_copy(update={"incident": type(script.incident).model_validate(merged)})
        result = dry_run(definition, script)
    except SopDefinitionError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except (ValueError, OSError) as error:
        click.echo(f"iccc sop simulate: {error}", err=True)
        sys.exit(1)
    click.echo(result.trace_text(), nl=False)
    elapsed = result.run.finished_at or result.run.started_at
    if result.run.finished_at is not None and result.run.started_at is not None:
        took = int((result.run.finished_at - result.run.started_at).total_seconds())
        verdict = "within" if took <= definition.target_s else "OVER"
        click.echo(f"finished {result.run.status.value} after {format_duration_s(took)}, "
                   f"{verdict} the target {format_duration_s(definition.target_s)}")
    else:
        click.echo(f"not finished: {result.run.status.value} at {elapsed}")


@sop.command("schema")
def sop_schema() -> None:
    """Print the JSON Schema of the SOP format."""
    click.echo(json.dumps(sop_json_schema(), indent=2, sort_keys=True))


@sop.command("install-shipped")
def sop_install_shipped() -> None:
    """Store and activate every shipped SOP version not yet in the database."""
    store = Store(Settings.from_environment().database_url)
    with store.transaction() as session:
        added = install_shipped_sops(session=session, clock=WallClock(), actor=SYSTEM)
    click.echo(f"installed {len(added)} SOP version(s)" + (": " + ", ".join(map(str, added)) if added else ""))
