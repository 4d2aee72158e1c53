"""Schema migrations with Alembic, run from code (`iccc db upgrade`) or checked (`/readyz`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from coordination.store.database import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def _scripts_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _config(store: Store) -> Config:
    config = _scripts_config()
    config.attributes["engine"] = store.engine
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the newest by default)."""
    command.upgrade(_config(store), revision)


def downgrade(store: Store, revision: str) -> None:
    """Take the schema back down to `revision`, keeping the rows every migration in between keeps."""
    command.downgrade(_config(store), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(_scripts_config()).get_current_head() or ""


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(store: Store) -> bool:
    return current_revision(store) == head_revision()
