"""Migration 0004 keeps the data it finds: tasks are rebuilt on SQLite without losing a row."""

from __future__ import annotations

from sqlalchemy import func, select, text

from coordination import SYSTEM, AgencyRegistration, Store, declare_incident, install_shipped_sops, register_agency, upgrade
from coordination.store import downgrade
from coordination.store.tables import Task, WebhookMessage
from tests.conftest import LOOPBACK, incident_report


def test_upgrading_a_sqlite_database_keeps_every_task_and_its_outbox_messages(tmp_path, clock):
    store = Store(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    # The rows are written by today's models, which know columns revision 0003 had not yet (an
    # incident's place name), so they are written at the head and the schema is taken down to 0003.
    upgrade(store)
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
        register_agency(session=session, clock=clock, allowed_hosts=LOOPBACK, actor=SYSTEM,
                        registration=AgencyRegistration(code="fire-central", name="Fire", kind="fire",
                                                        webhook_url="http://127.0.0.1:9/hooks/fire"))
        declare_incident(session=session, clock=clock, report=incident_report(), actor=SYSTEM)
    downgrade(store, "0003")
    with store.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM tasks")).scalar() == 1
    upgrade(store)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 1
        assert session.scalar(select(func.count()).select_from(WebhookMessage)) == 1
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.dispose()
