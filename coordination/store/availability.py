"""Why a database cannot serve the engine, said in one line: for a command that met a database
error, so that a person reads what to change instead of a driver's traceback."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from coordination.store.database import Store
from coordination.store.migrate import head_revision

DATABASE_SETTING = "ICCC_DATABASE_URL"


def unavailable_reason(url: str) -> str | None:
    """Say why the database at `url` cannot be used (unreachable, no schema, an older schema),
    naming it (password hidden) and what to do; None if it is reachable and current."""
    shown = make_url(url).render_as_string(hide_password=True)
    store = Store(url)
    try:
        try:
            revision = _revision(store)
        except DBAPIError as error:
            return (f"cannot reach the database {shown}: {_first_line(error.orig)} "
                    f"(is it running? set {DATABASE_SETTING} to the engine's database)")
    finally:
        store.dispose()
    head = head_revision()
    if revision is None:
        return (f"the database {shown} has no schema yet: run `iccc db upgrade` "
                f"(or set {DATABASE_SETTING} to the engine's database)")
    if revision != head:
        return f"the database {shown} has schema {revision}, not {head}: run `iccc db upgrade`"
    return None


def _revision(store: Store) -> str | None:
    # Read directly rather than through Alembic's context, which logs two lines of its own.
    with store.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip()
    return text.splitlines()[0] if text else "no reason given"
