"""Persistence: tables, the database connection and migrations."""

from coordination.store.availability import unavailable_reason
from coordination.store.database import Store
from coordination.store.migrate import current_revision, downgrade, head_revision, is_current, upgrade

__all__ = ["Store", "current_revision", "downgrade", "head_revision", "is_current", "unavailable_reason", "upgrade"]
