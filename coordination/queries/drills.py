"""Reading stored drill runs."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from coordination.store.tables import DrillRun


def find_drill_run(session: Session, run_id: uuid.UUID) -> DrillRun | None:
    return session.get(DrillRun, run_id)
