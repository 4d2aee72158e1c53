"""Stored SOP versions: installing them, choosing the one an incident starts, pinning runs."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, NotFound
from coordination.principals import Principal
from coordination.store.tables import SopVersion
from sop_engine import DispatchAction, SopDefinition, SopRef, Severity, load_sop_text, matching_sop, shipped_sop_texts


@lru_cache(maxsize=512)
def _parsed(source: str, text: str, digest: str) -> SopDefinition:  # noqa: ARG001 - digest keys the cache
    return load_sop_text(text, source=source)


def _parsed_text(text: str, *, source: str) -> SopDefinition:
    """Return `text` parsed and validated, from the cache when this exact text was seen before.

    Definitions are frozen and parsing is deterministic, so a cached one equals a fresh parse;
    invalid texts raise each time (exceptions are not cached). Installing the shipped library
    (every start, every drill world) then costs database rows, not 18 YAML parses.
    """
    return _parsed(source, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def definition_of(version: SopVersion) -> SopDefinition:
    """Return the parsed definition of a stored version (parsed once, then cached)."""
    return _parsed_text(version.source_text, source=f"{version.sop_id}@v{version.version}")


def definition_for(session: Session, ref: SopRef) -> SopDefinition:
    """Return the pinned definition a run follows, whether or not it is still active."""
    version = session.get(SopVersion, (ref.sop_id, ref.version))
    if version is None:
        raise NotFound(f"SOP {ref} is not stored")
    return definition_of(version)


def sop_for_incident(session: Session, *, incident_type: str, severity: Severity) -> SopDefinition | None:
    """Return the active SOP an incident of this type and severity starts, or None."""
    active = session.scalars(select(SopVersion).where(SopVersion.is_active.is_(True))).all()
    return matching_sop([definition_of(version) for version in active], incident_type=incident_type, severity=severity)


def unit_types_used(session: Session, *, incident_type: str, pinned: list[SopRef]) -> list[str]:
    """The unit types the incident's own SOP runs (`pinned`) and every active SOP for its type
    send, in the order their dispatch steps name them: what the dispatch form offers first."""
    definitions = [definition_for(session, ref) for ref in pinned]
    definitions += [definition for version in session.scalars(select(SopVersion).where(SopVersion.is_active.is_(True)))
                    if incident_type in (definition := definition_of(version)).trigger.incident_types]
    used: dict[str, None] = {}
    for definition in definitions:
        for step in definition.steps:
            if isinstance(step.action, DispatchAction):
                used.update((unit_type, None) for unit_type, _count in step.action.units)
    return list(used)


def store_sop_version(*, session: Session, clock: Clock, text: str, source: str, actor: Principal,
                      activate: bool = True) -> SopVersion:
    """Validate and store an SOP version; when activated, it replaces older versions of that SOP
    for new incidents (running incidents keep the version they started with).

    Raises:
        SopDefinitionError: the text is not a valid SOP.
    """
    definition = _parsed_text(text, source=source)
    ref = definition.ref
    existing = session.get(SopVersion, (ref.sop_id, ref.version))
    if existing is not None:
        return existing
    now = clock.now()
    if activate:
        for older in session.scalars(select(SopVersion).where(SopVersion.sop_id == ref.sop_id)):
            older.is_active = False
    version = SopVersion(
        sop_id=ref.sop_id, version=ref.version, title=definition.title, source_text=text,
        is_active=activate, uploaded_at=now, uploaded_by=actor.label, activated_at=now if activate else None,
    )
    session.add(version)
    audit.record(session, at=now, kind="sop.stored", actor=actor.label,
                 summary=f"SOP {ref} stored{' and activated' if activate else ''}",
                 data={"sop_id": ref.sop_id, "version": ref.version})
    return version


def install_shipped_sops(*, session: Session, clock: Clock, actor: Principal) -> list[SopRef]:
    """Store every shipped SOP version not yet stored; return the ones added."""
    added = []
    for name, text in shipped_sop_texts().items():
        definition = _parsed_text(text, source=f"sop_engine/library/{name}")
        if session.get(SopVersion, (definition.ref.sop_id, definition.ref.version)) is None:
            store_sop_version(session=session, clock=clock, text=text, source=name, actor=actor)
            added.append(definition.ref)
    return added


def _stored(session: Session, sop_id: str, version_number: int) -> SopVersion:
    version = session.get(SopVersion, (sop_id, version_number))
    if version is None:
        raise NotFound(f"SOP {sop_id}@v{version_number} is not stored")
    return version


def activate_sop_version(*, session: Session, clock: Clock, sop_id: str, version: int,
                         actor: Principal) -> SopVersion:
    """Make this version the one new incidents start; the SOP's other versions stop starting.

    Running incidents keep the version they started with. Idempotent.

    Raises:
        NotFound: the version is not stored.
        Conflict: the version is retired.
    """
    chosen = _stored(session, sop_id, version)
    if chosen.retired_at is not None:
        raise Conflict(f"SOP {sop_id}@v{version} is retired and cannot be activated; upload a new version")
    if chosen.is_active:
        return chosen
    now = clock.now()
    for other in session.scalars(select(SopVersion).where(SopVersion.sop_id == sop_id)):
        other.is_active = False
    chosen.is_active = True
    chosen.activated_at = now
    audit.record(session, at=now, kind="sop.activated", actor=actor.label,
                 summary=f"SOP {sop_id}@v{version} activated for new incidents",
                 data={"sop_id": sop_id, "version": version})
    return chosen


def retire_sop_version(*, session: Session, clock: Clock, sop_id: str, version: int,
                       actor: Principal) -> SopVersion:
    """Retire a version for good: it starts no new incident; runs pinned to it go on. Idempotent.

    Raises:
        NotFound: the version is not stored.
    """
    chosen = _stored(session, sop_id, version)
    if chosen.retired_at is not None:
        return chosen
    now = clock.now()
    was_active = chosen.is_active
    chosen.is_active = False
    chosen.retired_at = now
    note = "; no version of this SOP is active now" if was_active else ""
    audit.record(session, at=now, kind="sop.retired", actor=actor.label,
                 summary=f"SOP {sop_id}@v{version} retired{note}", data={"sop_id": sop_id, "version": version})
    return chosen
