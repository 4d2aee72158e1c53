"""The HTTP API (`/api/v1`): one blueprint per area, its OpenAPI document, and the operations routes."""

from __future__ import annotations

from flask import Flask

from web.api import (
    agencies,
    alerts,
    decisions,
    devices,
    dispatch,
    escalations,
    incident_runs,
    incidents,
    integrity,
    notices,
    officer_alerts,
    openapi,
    operations,
    public,
    readings,
    rules,
    sensors,
    sops,
    tasks,
    tokens,
    units,
    users,
    webhooks,
)

AREAS = (incidents, tasks, agencies, sops, escalations, decisions, integrity, alerts, notices, officer_alerts,
         public, webhooks, units, dispatch, incident_runs, users, rules, sensors, readings, tokens,
         devices)


def register(app: Flask, *, url_prefix: str) -> None:
    """Register every API area under `url_prefix`, the OpenAPI document and `/healthz`, `/readyz`, `/metrics`."""
    for area in AREAS:
        app.register_blueprint(area.blueprint, url_prefix=url_prefix)
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(operations.blueprint)
