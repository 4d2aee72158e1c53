"""A real browser against a real server: Debian's chromium, headless, driven by Playwright,
and the console served on 127.0.0.1 by a real HTTP server. Browser tests run on SQLite only: the
database paths they use are covered on both databases by the API tests."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from coordination import Store
from tests.receiver import SHUTDOWN_POLL_S

CHROMIUM = shutil.which("chromium")
MAPLIBRE = Path(__file__).parents[3] / "web/console/static/node_modules/maplibre-gl/dist/maplibre-gl.js"


@pytest.fixture
def store(tmp_path, _migrated_sqlite_template):
    """A copy of the migrated SQLite template, as `store` gives the other tests on SQLite."""
    path = tmp_path / "iccc.sqlite3"
    shutil.copyfile(_migrated_sqlite_template, path)
    created = Store(f"sqlite:///{path}")
    yield created
    created.dispose()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: `./dev test` installs it (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if not MAPLIBRE.exists():
        pytest.fail(f"{MAPLIBRE} is missing: `./dev` installs the console's browser libraries (npm ci)")
    with sync_playwright() as playwright:
        # Chromium refuses to sandbox as root (CI containers run as root).
        arguments = ["--no-sandbox"] if os.geteuid() == 0 else []
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=arguments)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    # werkzeug's threaded server stops cleanly (`shutdown` waits for its loop), unlike closing
    # waitress's sockets under its running select loop.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S},
                              name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 768})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
