"""The console: the pages people use (board, incidents, map, tasks, drills, KPIs, administration)."""

from __future__ import annotations

from flask import Flask

from web.console import (
    agencies,
    alerts,
    board,
    device_commands,
    dispatch,
    drills,
    fleet,
    incident,
    incident_records,
    kpis,
    map,
    sensors,
    sops,
    sweeps,
    tasks,
    times,
    users,
)
from web.console.error_pages import error_page

PAGES = (board, incident, tasks, map, dispatch, incident_records, drills, sweeps, kpis, agencies, fleet, users, sops,
         alerts, times, sensors, device_commands)

__all__ = ["PAGES", "error_page", "register"]


def register(app: Flask) -> None:
    """Register every console page's blueprint."""
    for page in PAGES:
        app.register_blueprint(page.blueprint)
