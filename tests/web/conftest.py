from __future__ import annotations

import pytest

from coordination import DEMO_AGENCIES, SYSTEM, Role, seed_demo_agencies
from coordination.dispatch_service import seed_demo_fleet
from coordination.users import NewUser, create_user
from web.app.factory import create_app
from web.app.config import Settings
from tests.conftest import FIRE_REPORT, LOOPBACK  # noqa: F401 - FIRE_REPORT is shared with the web tests


@pytest.fixture
def app(store, clock, shipped_sops):
    settings = Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK, secret_key="test-key")
    return create_app(settings, store=store, clock=clock)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def officer(make_token):
    return {"Authorization": f"Bearer {make_token(Role.DUTY_OFFICER, 'night-officer')}"}


@pytest.fixture
def admin(make_token):
    return {"Authorization": f"Bearer {make_token(Role.ADMINISTRATOR, 'admin')}"}


@pytest.fixture
def viewer(make_token):
    return {"Authorization": f"Bearer {make_token(Role.VIEWER, 'wall-screen')}"}


@pytest.fixture
def city(store, clock):
    """The demo agencies and fleet, their webhooks to a port nothing listens on."""
    with store.transaction() as session:
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=LOOPBACK,
                           webhook_url_for={demo.code: f"http://127.0.0.1:9/{demo.code}" for demo in DEMO_AGENCIES})
        seed_demo_fleet(session=session, clock=clock)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_user(store, clock):
    """Create a console account; returns (username, password)."""

    def make(role: Role = Role.DUTY_OFFICER, username: str = "asha", agency_code: str | None = None):
        password = f"correct horse battery {username}"
        with store.transaction() as session:
            create_user(session=session, clock=clock, actor=SYSTEM,
                        new_user=NewUser(username=username, display_name=username.title(), role=role,
                                         password=password, agency_code=agency_code))
        return username, password

    return make
