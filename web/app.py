"""The Flask application factory."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, request
from prometheus_client import Counter

from coordination import Clock, Store
from coordination.dispatch_service import use_road_network
from coordination.store.writer_lock import expect_writes, stop_expecting_writes
from web import console, console_incident, console_tasks, openapi, operations
from web import console_agencies, console_dispatch, console_drills, console_fleet, console_incident_records
from web import console_alerts, console_kpis, console_map, console_sops, console_users
from web.api import agencies, decisions, dispatch, escalations, incidents, integrity, sops, tasks, units
from web.api import alerts, notices, officer_alerts, public, webhooks
from web.api import incident_runs, users
from web.clock import WallClock
from web.config import MAX_REQUEST_BYTES, Settings
from web.context import Services
from web.error_pages import error_page
from web.problems import register_error_handlers

API_PREFIX = "/api/v1"
SESSION_LIFETIME = timedelta(hours=12)
"""A console session lasts one control-room shift."""

REQUESTS = Counter("iccc_http_requests_total", "HTTP requests served", ["method", "endpoint", "status"])


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None) -> Flask:
    """Build the app. `clock` and `store` default to the wall clock and `settings.database_url`."""
    settings = settings or Settings.from_environment()
    app = Flask(__name__)
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
    app.json.sort_keys = False
    app.extensions["iccc"] = Services(settings=settings, store=store or Store(settings.database_url),
                                      clock=clock or WallClock(),
                                      travel=use_road_network(source=settings.road_network))

    for area in (incidents, tasks, agencies, sops, escalations, decisions, integrity, alerts, notices, officer_alerts,
                 public, webhooks, units, dispatch, incident_runs, users):
        app.register_blueprint(area.blueprint, url_prefix=API_PREFIX)
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(operations.blueprint)
    for page in (console, console_incident, console_tasks, console_map, console_dispatch, console_incident_records,
                 console_drills, console_kpis, console_agencies, console_fleet, console_users, console_sops,
                 console_alerts):
        app.register_blueprint(page.blueprint)
    register_error_handlers(app, page=error_page)

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
