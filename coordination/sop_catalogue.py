"""Stored SOP versions: installing them, choosing the one an incident starts, pinning runs."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import NotFound
from coordination.principals import Principal
from coordination.store.tables import SopVersion
from sop_engine import SopDefinition, SopRef, Severity, load_sop_text, matching_sop, shipped_sop_texts


@lru_cache(maxsize=512)
def _parsed(source: str, text: str, digest: str) -> SopDefinition:  # noqa: ARG001 - digest keys the cache
    return load_sop_text(text, source=source)


def definition_of(version: SopVersion) -> SopDefinition:
    """Return the parsed definition of a stored version (parsed once, then cached)."""
    digest = hashlib.sha256(version.source_text.encode("utf-8")).hexdigest()
    return _parsed(f"{version.sop_id}@v{version.version}", version.source_text, digest)


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


def store_sop_version(*, session: Session, clock: Clock, text: str, source: str, actor: Principal,
                      activate: bool = True) -> SopVersion:
    """Validate and store an SOP version; when activated, it replaces older versions of that SOP
    for new incidents (running incidents keep the version they started with).

    Raises:
        SopDefinitionError: the text is not a valid SOP.
    """
    definition = load_sop_text(text, source=source)
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
        is_active=activate, uploaded_at=now,
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
        definition = load_sop_text(text, source=f"sop_engine/library/{name}")
        if session.get(SopVersion, (definition.ref.sop_id, definition.ref.version)) is None:
            store_sop_version(session=session, clock=clock, text=text, source=name, actor=actor)
            added.append(definition.ref)
    return added
