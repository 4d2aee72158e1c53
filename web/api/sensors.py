"""Sensors: the registry (list, read, register, import GeoJSON) and the sensors as a GeoJSON
layer for the map. An agency sees only its own sensors."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from coordination import Role
from coordination.sensors import (
    SensorRegistration,
    import_sensors,
    parse_sensor_collection,
    register_sensor,
    sensor_json,
    visible_sensor,
)
from coordination.sensors.queries import sensor_views, sensors_geojson
from coordination.queries.sensors import sensors_query
from web.api.listing import page_of
from web.api.media_types import responds_with
from web.api.query import arg, page, takes_query, text
from web.app.context import api, json_body, principal, services, session
from web.app.problems import BadRequestBody

blueprint = Blueprint("sensors", __name__)

READERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER, Role.PLANNER)
SENSOR_KIND = text("kind", "Only sensors of this kind", max_length=64)


@blueprint.get("/sensors")
@api(*READERS)
@takes_query(SENSOR_KIND, *page())
def list_sensors():
    """Sensors by id, each with its latest reading; `kind` filters. An agency sees only its own."""
    return page_of(sensors_query(principal(), kind=arg("kind")), sensor_json)


@blueprint.get("/sensors.geojson")
@api(Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER, Role.PLANNER)
@takes_query(SENSOR_KIND)
@responds_with("application/geo+json")
def sensors_geojson_layer():
    """Every sensor the caller may see as a GeoJSON FeatureCollection for a map layer: its latest
    value, unit, band (as the active rules see it: normal, moderate, severe, extreme) and whether
    it is stale; `kind` filters."""
    views = sensor_views(session=session(), principal=principal(), now=services().clock.now(),
                         kind=arg("kind"))
    return sensors_geojson(views), 200, {"Content-Type": "application/geo+json"}


@blueprint.get("/sensors/<sensor_id>")
@api(*READERS)
def read_sensor(sensor_id: str):
    """One sensor with its latest reading (404 for another agency's)."""
    return sensor_json(visible_sensor(session=session(), principal=principal(), sensor_id=sensor_id))


@blueprint.post("/sensors")
@api(Role.ADMINISTRATOR)
def register_a_sensor():
    """Register a sensor: its id (the name its readings carry), kind, location, unit, agency, interval."""
    sensor = register_sensor(session=session(), clock=services().clock, registration=json_body(SensorRegistration),
                             kinds=services().settings.sensor_kinds, actor=principal())
    return sensor_json(sensor), 201, {"Location": url_for("sensors.read_sensor", sensor_id=sensor.id)}


@blueprint.post("/sensors/import")
@api(Role.ADMINISTRATOR)
def import_geojson():
    """Register or change sensors from a GeoJSON FeatureCollection of Points, all or nothing."""
    if not request.is_json and request.mimetype != "application/geo+json":
        raise BadRequestBody("send a GeoJSON FeatureCollection as application/geo+json or application/json",
                             status=415)
    result = import_sensors(session=session(), clock=services().clock,
                            features=parse_sensor_collection(request.get_data(as_text=True)),
                            kinds=services().settings.sensor_kinds, actor=principal())
    return {"registered": result.registered, "changed": result.changed}
