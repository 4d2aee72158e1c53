"""Drills run from the console."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordination.store.tables.base import Base


class DrillRun(Base):
    """A drill a planner ran from the console: the scenario as run, its progress, and its KPIs
    (per replication, so two runs can be compared pair by pair) or the error that stopped it."""

    __tablename__ = "drill_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scenario_name: Mapped[str] = mapped_column(String(200))
    scenario_source: Mapped[str] = mapped_column(String(300))
    """Where the scenario came from: a shipped file's name, or `upload: <file name>`."""
    scenario_text: Mapped[str] = mapped_column(Text)
    """The YAML exactly as run, so a run can be read and repeated long after its file changed."""
    seed: Mapped[int] = mapped_column(BigInteger)
    replications: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[float] = mapped_column(Float)
    engine: Mapped[str] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    """From 0 to 1: the share of simulated time done, over every replication."""
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """`{"replications": [{kpi: value}], "centre": [KPI rows as the KPI page shows them]}`."""
    report_dir: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
