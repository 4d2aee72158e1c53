"""Persistence: tables, the database connection and migrations."""

from sqlalchemy.orm import Session

from coordination.store.availability import unavailable_reason
from coordination.store.database import Store
from coordination.store.migrate import current_revision, downgrade, head_revision, is_current, upgrade

# Session: the unit of work `Store.transaction()` yields. The web layer names it in signatures and
# hands it to queries and use cases; it never builds a statement to run on it.
__all__ = ["Session", "Store", "current_revision", "downgrade", "head_revision", "is_current", "unavailable_reason", "upgrade"]
