"""Administrators' console: the SOP library. Every stored version with its status; uploading
a YAML file (or pasted text) through the same validator as `POST /api/v1/sops`, its messages
shown inline beside the lines they name; activating and retiring versions; a version's step
graph with the critical path."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from coordination import (
    Conflict,
    activate_sop_version,
    retire_sop_version,
    store_sop_version,
)
from coordination.sop_catalogue import definition_of
from coordination.queries.sops import find_sop_version, sop_versions_by_sop
from sop_engine import (
    SopDefinitionError,
    SourceProblem,
    critical_path,
    format_duration_s,
)
from sop_engine.diagrams import step_summary, to_svg
from web.app.context import services
from web.app.problems import status_for
from web.console.access import csrf_token
from web.console.forms import FORM_ERROR_STATUS, administrator, administrator_posting

blueprint = Blueprint("sop_admin", __name__)


@dataclass
class SourceLine:
    number: int
    text: str
    problems: list[str] = field(default_factory=list)


def annotated_source(text: str, problems: list[SourceProblem]) -> tuple[list[SourceLine], list[str]]:
    """The text's lines, each with the validator's messages about it; and the messages that
    name no line of the text (such as an empty file), to show above it."""
    lines = [SourceLine(number, line) for number, line in enumerate(text.splitlines() or [""], start=1)]
    unplaced = []
    for problem in problems:
        if 1 <= problem.line <= len(lines):
            lines[problem.line - 1].problems.append(problem.message)
        else:
            unplaced.append(problem.message)
    return lines, unplaced


def status_of(version) -> str:
    if version.retired_at is not None:
        return "retired"
    return "active" if version.is_active else "inactive"


def _sops_page(*, status: int = 200, text: str = "", source_lines: list[SourceLine] | None = None,
               unplaced: list[str] | None = None, upload_error: str = ""):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        versions = sop_versions_by_sop(db)
        library = [(sop_id, list(group)) for sop_id, group in groupby(versions, key=lambda item: item.sop_id)]
        page = render_template(
            "admin/sops.html", caller=caller, csrf_token=csrf_token(), library=library, status_of=status_of,
            text=text, source_lines=source_lines, unplaced=unplaced or [], upload_error=upload_error,
            activate_checked=request.form.get("activate") == "yes", notices=get_flashed_messages(),
        )
    return page, status


@blueprint.get("/console/admin/sops")
def sops_page():
    return _sops_page()


def _uploaded_text() -> str | None:
    upload = request.files.get("sop_file")
    raw = upload.read() if upload is not None and upload.filename else request.form.get("sop", "").encode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@blueprint.post("/console/admin/sops")
def upload():
    """Validate and store an SOP version; staged unless `activate` is ticked."""
    caller = administrator_posting()
    text = _uploaded_text()
    if text is None:
        return _sops_page(status=FORM_ERROR_STATUS, upload_error="the SOP must be UTF-8 text")
    if not text.strip():
        return _sops_page(status=FORM_ERROR_STATUS, upload_error="choose a YAML file or paste the SOP")
    text = text.replace("\r\n", "\n")
    activate = request.form.get("activate") == "yes"
    context = services()
    try:
        with context.store.transaction() as db:
            version = store_sop_version(session=db, clock=context.clock, text=text, source="upload", actor=caller,
                                        activate=activate)
            flash(f"{version.sop_id} v{version.version} stored{' and active' if version.is_active else ''}.")
            target = url_for("sop_admin.version_page", sop_id=version.sop_id, version=version.version)
    except SopDefinitionError as error:
        lines, unplaced = annotated_source(text, error.problems)
        count = len(error.problems)
        return _sops_page(status=status_for(error), text=text, source_lines=lines, unplaced=unplaced,
                          upload_error=f"{count} problem{'s' if count != 1 else ''} found; nothing was stored")
    return redirect(target)


@blueprint.get("/console/admin/sops/<sop_id>/versions/<int:version>")
def version_page(sop_id: str, version: int, *, error: str = "", status: int = 200):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        stored = find_sop_version(db, sop_id, version)
        if stored is None:
            abort(404)
        definition = definition_of(stored)
        path = critical_path(definition)
        source_lines, _ = annotated_source(stored.source_text, [])
        page = render_template(
            "admin/sop_version.html", caller=caller, csrf_token=csrf_token(), version=stored,
            status=status_of(stored), definition=definition, svg=Markup(to_svg(definition)),
            steps=[{"id": step.step_id, "kind": step.kind, "summary": step_summary(step),
                    "on_path": step.step_id in path.step_ids} for step in definition.steps],
            path_duration=format_duration_s(path.duration_s), target=format_duration_s(definition.target_s),
            source_lines=source_lines, error=error, notices=get_flashed_messages(),
        )
    return page, status


@blueprint.post("/console/admin/sops/<sop_id>/versions/<int:version>/<action>")
def change_version(sop_id: str, version: int, action: str):
    """Activate a version for new incidents, or retire it for good."""
    caller = administrator_posting()
    if action not in ("activate", "retire"):
        abort(404)
    context = services()
    use_case = activate_sop_version if action == "activate" else retire_sop_version
    try:
        with context.store.transaction() as db:
            use_case(session=db, clock=context.clock, sop_id=sop_id, version=version, actor=caller)
    except Conflict as error:
        return version_page(sop_id, version, error=str(error), status=status_for(error))
    flash(f"{sop_id} v{version} {'activated' if action == 'activate' else 'retired'}.")
    return redirect(url_for("sop_admin.version_page", sop_id=sop_id, version=version))
