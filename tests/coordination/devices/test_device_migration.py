"""Migration 0017 adds the devices and their commands, and takes them away again, on every database."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from coordination import Store, upgrade
from coordination.store import downgrade
from coordination.store.migrate import current_revision, head_revision
from tests.conftest import POSTGRES_URL, _migrated_postgres_schema_url

pytestmark = pytest.mark.database


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path):
    """A database of this test's own (a migration cannot be undone in a schema other tests share)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'iccc.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL configured (ICCC_TEST_DATABASE_URL)")
    with _migrated_postgres_schema_url() as url:
        yield url


def test_the_devices_migration_goes_down_and_up_again(own_database):
    store = Store(own_database)
    try:
        upgrade(store)
        downgrade(store, "0016")
        tables = set(inspect(store.engine).get_table_names())
        assert "sensors" in tables and not {"devices", "device_commands"} & tables
        upgrade(store)
        assert {"devices", "device_commands"} <= set(inspect(store.engine).get_table_names())
        assert current_revision(store) == head_revision()
    finally:
        store.dispose()
