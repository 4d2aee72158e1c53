"""Persistence: tables, the database connection and migrations."""

from coordination.store.database import Store
from coordination.store.migrate import current_revision, downgrade, head_revision, is_current, upgrade

__all__ = ["Store", "current_revision", "downgrade", "head_revision", "is_current", "upgrade"]
