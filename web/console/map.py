"""The duty officer's map: the city from the engine's own data, and declaring an incident on it.

The page draws with MapLibre GL JS (installed from npm, served from this app's static folder)
from this module's GeoJSON: every street of the road network the dispatch service plans on
(`/console/map/base/roads.geojson`, built once per process), the agencies' jurisdictions, the
stations, the units with their status and current task, the open incidents, a heat map of the
incidents of a period and live coverage. No tile server, glyph server or CDN is involved, so the
map works in a control room cut off from the internet.

Declaring goes through the same use case as `POST /api/v1/incidents` (duplicate check, SOP
start, tasks and webhooks in one transaction); the place is typed as coordinates or a name the
offline gazetteer knows, or filled in by clicking the map. A name is kept as the incident's
place name, as the gazetteer spells it.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pydantic import ValidationError

from coordination import IncidentReport, InvalidInput, Role
from coordination.demo_city import DEMO_LANDMARKS
from coordination.store import Session
from coordination.dispatch_service import DEMO_ROAD_NETWORK, RoadMap, road_map_for, travel_times_for
from coordination.dispatch_service.base_map import BaseMap, base_map_for
from coordination.dispatch_service.coverage_map import (
    DEFAULT_COVERAGE_NEED,
    checked_coverage_request,
    coverage_needs,
    live_coverage,
)
from coordination.duplicates import report_incident
from coordination.errors import NotFound
from coordination.gazetteer import Gazetteer, Place, city_gazetteer, locate
from coordination.incidents import PLACE_NAME_MAX_LENGTH
from coordination.map_layers import (
    collection,
    history_since,
    incident_history,
    jurisdictions_and_stations,
    open_incidents,
    point,
    units_now,
)
from coordination.devices.map_features import devices_geojson
from coordination.sensors.queries import sensor_views, sensors_geojson
from sop_engine import INCIDENT_TYPES, Severity
from web.app.context import services
from web.app.problems import read_by_scripts
from web.console.access import (
    BOARD_ROLES,
    console_caller,
    csrf_token,
    require_csrf,
    script_caller,
)
from web.console.action_messages import declared, say

blueprint = Blueprint("map_console", __name__)

DECLARING_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}
FORM_FIELDS = ("location", "place_name", "type", "severity", "description")
STALE_FIX_MINUTES = 10
"""Units whose last position fix is older are drawn faded (map.js's STALE_FIX_S)."""
MAX_HISTORY_HOURS = 24 * 366



def _road_map() -> RoadMap:
    return road_map_for(source=services().settings.road_network)


def _base_map() -> BaseMap:
    return base_map_for(source=services().settings.road_network)


def _gazetteer(db) -> Gazetteer:
    settings = services().settings
    # The demo's landmarks belong to the demo city: another network is another city, whose own
    # landmarks come from ICCC_LANDMARKS.
    demo = DEMO_LANDMARKS if settings.road_network == DEMO_ROAD_NETWORK else ()
    return city_gazetteer(session=db, streets=_road_map().streets, landmarks=(*settings.landmarks, *demo))


@blueprint.get("/console/map")
def map_page(*, form: dict | None = None, errors: dict | None = None, status: int = 200):
    caller = console_caller(BOARD_ROLES)
    with services().store.transaction() as db:
        gazetteer_help = _gazetteer(db).describe()
    page = render_template(
        "map.html", caller=caller, csrf_token=csrf_token(), can_declare=caller.role in DECLARING_ROLES,
        incident_types=sorted(INCIDENT_TYPES), severities=[severity.value for severity in Severity],
        form=form or {}, errors=errors or {}, gazetteer_help=gazetteer_help, base_layers=_base_map().names,
        coverage_needs=coverage_needs(), default_coverage_need=DEFAULT_COVERAGE_NEED,
        stale_minutes=STALE_FIX_MINUTES,
    )
    return page, status


@blueprint.get("/console/map/layers.json")
@read_by_scripts
def layers():
    """What changes rarely: the city's bounds, jurisdictions and stations (GeoJSON)."""
    script_caller(BOARD_ROLES)
    with services().store.transaction() as db:
        jurisdictions, stations = jurisdictions_and_stations(session=db)
    return {"bounds": list(_road_map().bounds), "jurisdictions": jurisdictions, "stations": stations}


@blueprint.get("/console/map/base/<name>.geojson")
@read_by_scripts
def base_layer(name: str):
    """A base layer: every street of the dispatch network, and an OSM city's water, parks and
    buildings, as gzip-compressed GeoJSON."""
    script_caller(BOARD_ROLES)
    base_map = _base_map()
    if name not in base_map.names:
        raise NotFound(f"no base layer {name!r}; this city has: {', '.join(base_map.names)}")
    response = Response(base_map.layers[name], mimetype="application/geo+json")
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@blueprint.get("/console/map/live.json")
@read_by_scripts
def live():
    """What moves: every unit with its status, last fix and task, and the open incidents (GeoJSON)."""
    script_caller(BOARD_ROLES)
    context = services()
    now = context.clock.now()
    with context.store.transaction() as db:
        units = []
        for feature, _unit, assignment in units_now(session=db, now=now):
            if assignment is not None:
                feature["properties"]["task_url"] = url_for(
                    "incident_console.incident_page", incident_id=assignment.incident_id) + "#dispatch-heading"
            units.append(feature)
        incidents = [
            point(incident.longitude, incident.latitude, id=str(incident.id), type=incident.incident_type,
                  place_name=incident.place_name, severity=incident.severity.value, is_exercise=incident.is_exercise,
                  declared_at=incident.declared_at.isoformat(),
                  url=url_for("incident_console.incident_page", incident_id=incident.id))
            for incident in open_incidents(session=db)]
    return {"now": now.isoformat(), "units": collection(units), "incidents": collection(incidents)}


@blueprint.get("/console/map/coverage.geojson")
@read_by_scripts
def coverage():
    """Squares no free unit of `need` reaches within `minutes`, on the dispatch network."""
    script_caller(BOARD_ROLES)
    need, within_s = checked_coverage_request(need=request.args.get("need", DEFAULT_COVERAGE_NEED),
                                              minutes=request.args.get("minutes", "8"))
    with services().store.transaction() as db:
        return _coverage_json(db, need, within_s)


def _coverage_json(db: Session, need: str, within_s: int) -> dict:
    travel = services().travel or travel_times_for()
    return live_coverage(session=db, need=need, within_s=within_s, travel=travel).feature_collection()


@blueprint.get("/console/map/sensors.geojson")
@read_by_scripts
def sensors():
    """Every sensor the caller may see with its latest value, band and staleness (the API's
    `/sensors.geojson`, read with the console's session)."""
    caller = script_caller(BOARD_ROLES)
    context = services()
    with context.store.transaction() as db:
        return sensors_geojson(sensor_views(session=db, principal=caller, now=context.clock.now()))


@blueprint.get("/console/map/devices.geojson")
@read_by_scripts
def devices():
    """Every device the caller may see, with what it was last told and whether it confirmed."""
    caller = script_caller(BOARD_ROLES)
    with services().store.transaction() as db:
        return devices_geojson(session=db, principal=caller)


@blueprint.get("/console/map/history.geojson")
@read_by_scripts
def history():
    """Incidents declared in the last `hours`, weighted by severity, for the heat map."""
    script_caller(BOARD_ROLES)
    hours = request.args.get("hours", "168")
    if not hours.isdigit() or not 1 <= int(hours) <= MAX_HISTORY_HOURS:
        raise InvalidInput(f"hours must be a whole number from 1 to {MAX_HISTORY_HOURS}", field="hours")
    context = services()
    with context.store.transaction() as db:
        return incident_history(session=db, since=history_since(now=context.clock.now(), hours=int(hours)))


@blueprint.get("/console/map/places")
@read_by_scripts
def find_place():
    """Where `q` is: coordinates ("latitude, longitude") or a name the gazetteer knows; 422 naming
    `q` with the reason (and the closest names) otherwise."""
    script_caller(BOARD_ROLES)
    text = request.args.get("q", "")
    with services().store.transaction() as db:
        try:
            place = locate(text, gazetteer=_gazetteer(db), bounds=_road_map().bounds)
        except InvalidInput as error:
            raise InvalidInput(str(error), field="q") from None
    return {"name": place.name, "kind": place.kind,
            "location": {"type": "Point", "coordinates": [place.longitude, place.latitude]}}


@blueprint.post("/console/map/incidents")
def declare():
    """Declare an incident from the map's form; each bad field gets its message beside it."""
    caller = console_caller(DECLARING_ROLES)
    require_csrf()
    form = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    errors: dict[str, str] = {}
    context = services()
    with context.store.transaction() as db:
        try:
            place = locate(form["location"], gazetteer=_gazetteer(db), bounds=_road_map().bounds)
        except InvalidInput as error:
            errors["location"], place = str(error), None
    try:
        report = IncidentReport.model_validate({
            "type": form["type"], "severity": form["severity"], "description": form["description"],
            "location": {"type": "Point", "coordinates": [place.longitude, place.latitude] if place else [0, 0]},
            "place_name": form["place_name"] or _place_name(place), "reporter": {"name": caller.name},
        })
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            field = str(detail["loc"][0]) if detail["loc"] else "type"
            errors.setdefault(field if field in FORM_FIELDS else "type", _message(detail))
    if errors:
        return map_page(form=form, errors=errors, status=422)
    with context.store.transaction() as db:
        outcome = report_incident(session=db, clock=context.clock, report=report, actor=caller,
                                  policy=context.settings.duplicates)
        incident_id = outcome.incident.id
        say(declared(db, outcome))
        duplicate = outcome.duplicate is not None
    target = url_for("incident_console.incident_page", incident_id=incident_id)
    return redirect(target + ("#duplicates-heading" if duplicate else ""))


def _place_name(place: Place | None) -> str | None:
    """Unless the officer named the place in words: the gazetteer's name for what was typed
    ("FS-01" is the station's name), none for bare coordinates, which the point already says."""
    if place is None or place.kind == "coordinates":
        return None
    return place.name[:PLACE_NAME_MAX_LENGTH]


def _message(detail: dict) -> str:
    if detail["type"] == "enum":
        return "choose one of: " + ", ".join(severity.value for severity in Severity)
    if detail["type"] == "string_too_long":
        return f"at most {detail['ctx']['max_length']} characters"
    return detail["msg"].removeprefix("Value error, ")
