"""The console's sensors: every sensor with its latest value and band, and one sensor's page with
a chart of its recent readings, the rules' firings that concern it and its refused readings."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, render_template, request

from coordination.intake.queries import dead_letters_query
from coordination.rule_service.queries import outcomes_for_sensor
from coordination.sensors import visible_sensor
from coordination.sensors.queries import recent_readings, rule_marks, sensor_view, sensor_views
from web.app.context import services
from web.console.access import BOARD_ROLES, console_caller, csrf_token
from web.console.sensor_plots import readings_plot

blueprint = Blueprint("sensor_console", __name__)

SENSOR_ROLES = BOARD_ROLES
DEAD_LETTERS_SHOWN = 20


@blueprint.get("/console/sensors")
def sensors_page():
    caller = console_caller(SENSOR_ROLES)
    context = services()
    now = context.clock.now()
    kind = request.args.get("kind") or None
    with context.store.transaction() as db:
        views = sensor_views(session=db, principal=caller, now=now)
        kinds = sorted({view.sensor.kind for view in views})
        shown = [view for view in views if kind is None or view.sensor.kind == kind]
        return render_template("sensors.html", caller=caller, csrf_token=csrf_token(), views=shown, kinds=kinds,
                               kind=kind, now=now, age=_age)


@blueprint.get("/console/sensors/<sensor_id>")
def sensor_page(sensor_id: str):
    caller = console_caller(SENSOR_ROLES)
    context = services()
    now = context.clock.now()
    with context.store.transaction() as db:
        sensor = visible_sensor(session=db, principal=caller, sensor_id=sensor_id)
        view = sensor_view(session=db, sensor=sensor, now=now)
        readings = recent_readings(session=db, sensor_id=sensor.id, now=now)
        plot = readings_plot(title=f"{sensor.id}: the last 24 hours", readings=readings, unit=sensor.unit,
                             marks=rule_marks(session=db, sensor=sensor))
        firings = outcomes_for_sensor(db, sensor.id, limit=30)
        letters = db.scalars(dead_letters_query(sensor_id=sensor.id).limit(DEAD_LETTERS_SHOWN)).all()
        return render_template("sensor.html", caller=caller, csrf_token=csrf_token(), view=view, sensor=sensor,
                               plot=plot, readings=list(reversed(readings))[:20], firings=firings, letters=letters,
                               now=now, age=_age)


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment.astimezone(timezone.utc)).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
