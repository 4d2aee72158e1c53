"""Shared fixtures: clocks, stores on every configured database, agencies, incidents, receivers."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from coordination import (
    SYSTEM,
    AgencyRegistration,
    IncidentReport,
    ManualClock,
    Role,
    Store,
    declare_incident,
    install_shipped_sops,
    issue_token,
    register_agency,
    upgrade,
)
from coordination import users
from coordination.store.tables import Base
from tests.receiver import WebhookReceiver

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
POSTGRES_URL = os.environ.get("ICCC_TEST_DATABASE_URL")
LOOPBACK = frozenset({"127.0.0.1", "localhost"})


PRODUCTION_PASSWORD_HASHER = users.HASHER
TEST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""argon2id at its cheapest. Production's cost (about 0.2 s a hash or a check here, by design)
was most of the console tests' time. The same code hashes, checks and upgrades passwords;
`test_users` and `test_cli` check that production keeps argon2's recommended parameters."""


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", TEST_PASSWORD_HASHER)
        yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Start the tests that take seconds each (marked `slow` or `browser`) first, in their usual
    order: a parallel run then ends on quick tests that even the workers out, not on one long test
    with the other worker idle (tests do not depend on their order)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None and item.get_closest_marker("browser") is None)


def shared_file(relative: str) -> Path:
    """A file from ../shared/data, or a skip naming it when that folder is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"reference data file {path} is not present")
    return path


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock starting at the real present (webhook verifiers accept only recent times)."""
    return ManualClock(datetime.now(timezone.utc).replace(microsecond=0))


def _database_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated by the production migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "iccc.sqlite3"
    template = Store(f"sqlite:///{path}")
    upgrade(template)
    template.dispose()
    return path


@contextmanager
def _migrated_postgres_schema_url() -> Iterator[str]:
    """A new schema on the PostgreSQL server, migrated, dropped afterwards; yields its URL."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    migrated = Store(url)
    upgrade(migrated)
    migrated.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_postgres_schema() -> str:
    """One schema per test process, migrated once; tests empty it after use (see `store`)."""
    with _migrated_postgres_schema_url() as url:
        yield url


def _empty_every_table(store: Store) -> None:
    # DELETE, children first, then sequences restarted: what TRUNCATE ... RESTART IDENTITY did,
    # but TRUNCATE gives each of the ~30 tables new files and took about 0.5 s a test, while a
    # test leaves a few rows that DELETE clears in milliseconds.
    with store.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(text("SELECT sequence_name FROM information_schema.sequences "
                                            "WHERE sequence_schema = current_schema()")).all()
        for sequence in sequences:
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(params=_database_params())
def store(request, tmp_path) -> Store:
    """A migrated, empty database: a SQLite file, or a schema on the PostgreSQL server.

    Migrating costs far more than a test, so each test process migrates once: SQLite tests get
    a copy of a migrated file, PostgreSQL tests share their process's schema, emptied after
    each test (`tests/coordination/test_migrations.py` checks the migrations themselves).
    """
    if request.param == "sqlite":
        path = tmp_path / "iccc.sqlite3"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite_template"), path)
        created = Store(f"sqlite:///{path}")
        yield created
        created.dispose()
        return
    created = Store(request.getfixturevalue("_migrated_postgres_schema"))
    yield created
    _empty_every_table(created)
    created.dispose()


@pytest.fixture
def postgres_store(store) -> Store:
    """`store`, for tests of what only PostgreSQL lets happen: two transactions at once (SQLite's
    BEGIN IMMEDIATE serialises every transaction)."""
    if not store.is_postgresql:
        pytest.skip("two transactions at once: PostgreSQL only")
    return store


@pytest.fixture(scope="module", params=_database_params())
def module_store(request, tmp_path_factory) -> Store:
    """A migrated database of its own for one module, kept for all its tests: for a module whose
    tests only read what its fixtures put there (or are refused), so that they set it up once.
    A copy of the SQLite template, or a new schema (migrating one takes a fraction of a second)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module-store") / "iccc.sqlite3"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite_template"), path)
        created = Store(f"sqlite:///{path}")
        yield created
        created.dispose()
        return
    with _migrated_postgres_schema_url() as url:
        created = Store(url)
        yield created
        created.dispose()


@pytest.fixture
def receiver():
    """A real HTTP webhook receiver on 127.0.0.1."""
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def shipped_sops(store, clock) -> None:
    """The shipped SOP library, stored and active."""
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)


def add_agency(store: Store, clock: ManualClock, code: str, kind: str, webhook_url: str | None = None,
               jurisdiction: dict | None = None) -> tuple[uuid.UUID, str, str]:
    """Register an agency; returns (agency id, API token, webhook secret)."""
    with store.transaction() as session:
        registered = register_agency(
            session=session, clock=clock, allowed_hosts=LOOPBACK, actor=SYSTEM,
            registration=AgencyRegistration(code=code, name=code.title(), kind=kind, webhook_url=webhook_url,
                                            jurisdiction=jurisdiction),
        )
        return registered.agency.id, registered.token, registered.agency.webhook_secret


def add_token(store: Store, clock: ManualClock, role: Role = Role.DUTY_OFFICER, name: str = "duty-officer") -> str:
    """Issue an API token; returns it."""
    with store.transaction() as session:
        return issue_token(session=session, clock=clock, name=name, role=role)


@pytest.fixture
def make_agency(store, clock, shipped_sops):
    """Register an agency; returns (agency id, API token, webhook secret)."""
    return functools.partial(add_agency, store, clock)


@pytest.fixture
def make_token(store, clock):
    return functools.partial(add_token, store, clock)


FIRE_REPORT = {
    "type": "building_fire",
    "severity": "severe",
    "location": {"type": "Point", "coordinates": [77.5946, 12.9716]},
    "description": "Smoke from the third floor",
    "reporter": {"name": "Asha", "phone": "+91 98450 00000"},
}


def incident_report(**overrides) -> IncidentReport:
    return IncidentReport.model_validate({**FIRE_REPORT, **overrides})


@pytest.fixture
def make_incident(store, clock):
    """Declare an incident as the system; returns its id."""

    def make(**overrides) -> uuid.UUID:
        with store.transaction() as session:
            return declare_incident(session=session, clock=clock, report=incident_report(**overrides),
                                    actor=SYSTEM).id

    return make
