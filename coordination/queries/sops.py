"""Reading the stored SOP versions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.store.tables import SopVersion


def sop_versions_query() -> Select:
    """Every stored SOP version, active ones first, then by SOP and newest version first."""
    return select(SopVersion).order_by(SopVersion.is_active.desc(), SopVersion.sop_id, SopVersion.version.desc())


def sop_versions_by_sop(session: Session) -> Sequence[SopVersion]:
    """Every stored SOP version, by SOP and newest version first."""
    return session.scalars(select(SopVersion).order_by(SopVersion.sop_id, SopVersion.version.desc())).all()


def find_sop_version(session: Session, sop_id: str, version: int) -> SopVersion | None:
    return session.get(SopVersion, (sop_id, version))


def stored_sop_version(session: Session, sop_id: str, version: int) -> SopVersion:
    """The stored version, or NotFound."""
    found = session.get(SopVersion, (sop_id, version))
    if found is None:
        raise NotFound(f"SOP {sop_id}@v{version} is not stored")
    return found
