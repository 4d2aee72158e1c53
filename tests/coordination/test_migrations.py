"""The Alembic migrations build exactly the schema the models describe, on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from coordination.store.migrate import current_revision, head_revision
from coordination.store.tables import Base


def test_a_migrated_database_is_at_the_newest_revision(store):
    assert current_revision(store) == head_revision()


def test_the_migrations_and_the_models_describe_the_same_schema(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
