from __future__ import annotations

import pytest

from coordination import Role
from web.app import create_app
from web.config import Settings
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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
