"""The Flask application factory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, g, request
from prometheus_client import Counter

from coordination import Clock, Store
from coordination.dispatch_service import use_road_network
from coordination.intake import Intake
from coordination.store.writer_lock import expect_writes, stop_expecting_writes
from web import api, console
from web.app.clock import WallClock
from web.app.config import MAX_REQUEST_BYTES, Settings
from web.app import problem_types, request_limits
from web.app.context import Services
from web.app.problems import register_error_handlers

API_PREFIX = "/api/v1"
CONSOLE_ROOT = Path(console.__file__).parent
SESSION_LIFETIME = timedelta(hours=12)
"""A console session lasts one control-room shift."""

REQUESTS = Counter("iccc_http_requests_total", "HTTP requests served", ["method", "endpoint", "status"])


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None) -> Flask:
    """Build the app. `clock` and `store` default to the wall clock and `settings.database_url`."""
    settings = settings or Settings.from_environment()
    # Templates and static files are the console's; the API serves JSON only.
    app = Flask(__name__, root_path=str(CONSOLE_ROOT))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="iccc_session",
        # Browsers keep Secure cookies for https and for http://127.0.0.1 / localhost alike, so
        # the console's session is never sent in the clear to another host.
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    request_limits.install(app)
    app.json.sort_keys = False
    store = store or Store(settings.database_url)
    clock = clock or WallClock()
    app.extensions["iccc"] = Services(settings=settings, store=store, clock=clock,
                                      travel=use_road_network(source=settings.road_network),
                                      intake=Intake(store=store, clock=clock, kinds=settings.sensor_kinds,
                                                    retention=settings.retention, duplicates=settings.duplicates))

    api.register(app, url_prefix=API_PREFIX)
    app.register_blueprint(problem_types.blueprint)
    console.register(app)
    register_error_handlers(app, page=console.error_page)

    @app.before_request
    def _expect_writes_unless_reading() -> None:
        # A request that changes something decides on the state it changes: its transactions take
        # PostgreSQL's writer lock as they begin (coordination/store/writer_lock.py).
        if request.method not in READ_ONLY_METHODS:
            g.writes_expected = expect_writes()

    @app.teardown_request
    def _stop_expecting_writes(_error) -> None:
        token = g.pop("writes_expected", None)
        if token is not None:
            stop_expecting_writes(token)

    @app.after_request
    def _count(response):
        REQUESTS.labels(request.method, request.endpoint or "unmatched", str(response.status_code)).inc()
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
