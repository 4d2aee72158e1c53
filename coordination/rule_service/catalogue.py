"""Stored rule versions: storing, activating and retiring them (as SOP versions are), and the
book of active rules the engine evaluates."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.clock import Clock
from coordination.errors import Conflict, NotFound
from coordination.principals import Principal
from coordination.rules import RuleBook, RuleDefinition, RuleRef, load_rule_text, shipped_rule_texts
from coordination.store.tables import RuleVersion


@lru_cache(maxsize=512)
def _parsed(source: str, text: str, digest: str) -> RuleDefinition:  # noqa: ARG001 - digest keys the cache
    return load_rule_text(text, source=source)


def parsed_rule_text(text: str, *, source: str) -> RuleDefinition:
    """`text` parsed and validated, from the cache when this exact text was seen before (a
    consumer reads the active rules on every batch; definitions are frozen, so a cached one
    equals a fresh parse)."""
    return _parsed(source, text, hashlib.sha256(text.encode("utf-8")).hexdigest())


def definition_of(version: RuleVersion) -> RuleDefinition:
    return parsed_rule_text(version.source_text, source=f"{version.rule_id}@v{version.version}")


def definition_for(session: Session, ref: RuleRef) -> RuleDefinition:
    """The pinned definition an outcome was decided under, whether or not it is still active."""
    version = session.get(RuleVersion, (ref.rule_id, ref.version))
    if version is None:
        raise NotFound(f"rule {ref} is not stored")
    return definition_of(version)


def active_rule_book(connection: Connection | Session) -> RuleBook:
    """The active rules, ordered by id, read with `connection` (a consumer's own transaction)."""
    rows = connection.execute(
        select(RuleVersion.rule_id, RuleVersion.version, RuleVersion.source_text)
        .where(RuleVersion.is_active.is_(True)).order_by(RuleVersion.rule_id)).all()
    return RuleBook(tuple(parsed_rule_text(text, source=f"{rule_id}@v{version}") for rule_id, version, text in rows))


def store_rule_version(*, session: Session, clock: Clock, text: str, source: str, actor: Principal,
                       activate: bool = True) -> RuleVersion:
    """Validate and store a rule version; activated, it replaces the rule's other versions (an
    episode in progress under an older version keeps its record; the new version starts afresh).

    Raises:
        RuleDefinitionError: the text is not a valid rule.
    """
    definition = parsed_rule_text(text, source=source)
    ref = definition.ref
    existing = session.get(RuleVersion, (ref.rule_id, ref.version))
    if existing is not None:
        return existing
    now = clock.now()
    if activate:
        for older in session.scalars(select(RuleVersion).where(RuleVersion.rule_id == ref.rule_id)):
            older.is_active = False
    version = RuleVersion(
        rule_id=ref.rule_id, version=ref.version, title=definition.title, sensor_kind=definition.sensor_kind,
        source_text=text, is_active=activate, uploaded_at=now, uploaded_by=actor.label,
        activated_at=now if activate else None,
    )
    session.add(version)
    audit.record(session, at=now, kind="rule.stored", actor=actor.label,
                 summary=f"trigger rule {ref} stored{' and activated' if activate else ''}",
                 data={"rule_id": ref.rule_id, "version": ref.version})
    return version


def install_shipped_rules(*, session: Session, clock: Clock, actor: Principal) -> list[RuleRef]:
    """Store and activate every shipped rule version not yet stored; return the ones added."""
    added = []
    for name, text in shipped_rule_texts().items():
        definition = parsed_rule_text(text, source=f"coordination/rules/library/{name}")
        if session.get(RuleVersion, (definition.ref.rule_id, definition.ref.version)) is None:
            store_rule_version(session=session, clock=clock, text=text, source=name, actor=actor)
            added.append(definition.ref)
    return added


def _stored(session: Session, rule_id: str, version: int) -> RuleVersion:
    stored = session.get(RuleVersion, (rule_id, version))
    if stored is None:
        raise NotFound(f"rule {rule_id}@v{version} is not stored")
    return stored


def activate_rule_version(*, session: Session, clock: Clock, rule_id: str, version: int,
                          actor: Principal) -> RuleVersion:
    """Make this the version the engine evaluates; the rule's other versions stop. Idempotent.

    Raises:
        NotFound: the version is not stored.
        Conflict: the version is retired.
    """
    chosen = _stored(session, rule_id, version)
    if chosen.retired_at is not None:
        raise Conflict(f"rule {rule_id}@v{version} is retired and cannot be activated; upload a new version")
    if chosen.is_active:
        return chosen
    now = clock.now()
    for other in session.scalars(select(RuleVersion).where(RuleVersion.rule_id == rule_id)):
        other.is_active = False
    chosen.is_active = True
    chosen.activated_at = now
    audit.record(session, at=now, kind="rule.activated", actor=actor.label,
                 summary=f"trigger rule {rule_id}@v{version} activated", data={"rule_id": rule_id, "version": version})
    return chosen


def retire_rule_version(*, session: Session, clock: Clock, rule_id: str, version: int,
                        actor: Principal) -> RuleVersion:
    """Retire a version for good: the engine stops evaluating it. Idempotent.

    Raises:
        NotFound: the version is not stored.
    """
    chosen = _stored(session, rule_id, version)
    if chosen.retired_at is not None:
        return chosen
    now = clock.now()
    note = "; no version of this rule is active now" if chosen.is_active else ""
    chosen.is_active = False
    chosen.retired_at = now
    audit.record(session, at=now, kind="rule.retired", actor=actor.label,
                 summary=f"trigger rule {rule_id}@v{version} retired{note}", data={"rule_id": rule_id, "version": version})
    return chosen
