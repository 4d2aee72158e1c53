"""The duty officer's map: the city from the engine's own data, and declaring an incident on it.

Everything the page draws comes from this module's JSON (GeoJSON for the features): the road
network the dispatch service plans on (by bounding box, major roads first), the agencies'
jurisdictions, the stations, the units with their status and the open incidents. No tile
server or CDN is involved, so the map works in a control room cut off from the internet.

Declaring goes through the same use case as `POST /api/v1/incidents` (duplicate check, SOP
start, tasks and webhooks in one transaction); the place is typed as coordinates or a name the
offline gazetteer knows, or filled in by clicking the map. A name is kept as the incident's
place name, as the gazetteer spells it.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlalchemy import select

from coordination import IncidentReport, IncidentStatus, InvalidInput, Role
from coordination.demo_city import DEMO_LANDMARKS
from coordination.dispatch_service import DEMO_ROAD_NETWORK, RoadMap, road_map_for
from coordination.duplicates import report_incident
from coordination.gazetteer import Gazetteer, Place, city_gazetteer, locate
from coordination.incidents import PLACE_NAME_MAX_LENGTH
from coordination.store.tables import Agency, Incident, ResponseUnit, Station
from sop_engine import INCIDENT_TYPES, Severity
from web.app.context import services
from web.app.problems import BadRequestBody, read_by_scripts
from web.console.access import (
    BOARD_ROLES,
    console_caller,
    csrf_token,
    require_csrf,
    script_caller,
)

blueprint = Blueprint("map_console", __name__)

DECLARING_ROLES = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}
FORM_FIELDS = ("location", "place_name", "type", "severity", "description")
MAX_OPEN_INCIDENTS_SHOWN = 500


def _road_map() -> RoadMap:
    return road_map_for(source=services().settings.road_network)


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
        form=form or {}, errors=errors or {}, gazetteer_help=gazetteer_help,
    )
    return page, status


@blueprint.get("/console/map/layers.json")
@read_by_scripts
def layers():
    """What changes rarely: the city's bounds, jurisdictions and stations (GeoJSON)."""
    script_caller(BOARD_ROLES)
    with services().store.transaction() as db:
        agencies = db.scalars(select(Agency).where(Agency.jurisdiction.is_not(None)).order_by(Agency.code)).all()
        stations = db.scalars(select(Station).order_by(Station.code)).unique().all()
        return {
            "bounds": list(_road_map().bounds),
            "jurisdictions": _collection(
                {"type": "Feature", "geometry": agency.jurisdiction,
                 "properties": {"code": agency.code, "name": agency.name, "kind": agency.kind.value}}
                for agency in agencies if agency.jurisdiction),
            "stations": _collection(
                _point(station.longitude, station.latitude, code=station.code, name=station.name,
                       agency=station.agency.code, kind=station.agency.kind.value)
                for station in stations),
        }


@blueprint.get("/console/map/roads.json")
@read_by_scripts
def roads():
    """The road segments in `bbox` (west,south,east,north), major roads first, at most `limit`."""
    script_caller(BOARD_ROLES)
    bbox = _bbox_arg()
    limit = request.args.get("limit", "4000")
    if not limit.isdigit() or not 1 <= int(limit) <= 20000:
        raise BadRequestBody("query parameter 'limit' must be a whole number from 1 to 20000", field="limit")
    try:
        return _road_map().view(bbox=bbox, budget=int(limit))
    except InvalidInput as error:
        raise BadRequestBody(str(error), field="bbox") from None


@blueprint.get("/console/map/live.json")
@read_by_scripts
def live():
    """What moves: every unit with its status, and the open incidents by severity (GeoJSON)."""
    script_caller(BOARD_ROLES)
    context = services()
    with context.store.transaction() as db:
        units = db.scalars(select(ResponseUnit).order_by(ResponseUnit.code)).unique().all()
        incidents = db.scalars(select(Incident).where(Incident.status == IncidentStatus.OPEN)
                               .order_by(Incident.declared_at.desc()).limit(MAX_OPEN_INCIDENTS_SHOWN)).unique().all()
        return {
            "now": context.clock.now().isoformat(),
            "units": _collection(
                _point(unit.longitude, unit.latitude, id=str(unit.id), code=unit.code, unit_type=unit.unit_type,
                       agency=unit.agency.code, status=unit.status.value)
                for unit in units),
            "incidents": _collection(
                _point(incident.longitude, incident.latitude, id=str(incident.id), type=incident.incident_type,
                       place_name=incident.place_name, severity=incident.severity.value,
                       is_exercise=incident.is_exercise,
                       declared_at=incident.declared_at.isoformat(),
                       url=url_for("incident_console.incident_page", incident_id=incident.id))
                for incident in incidents),
        }


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


def _bbox_arg() -> tuple[float, float, float, float] | None:
    raw = request.args.get("bbox")
    if raw is None:
        return None
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        raise BadRequestBody("query parameter 'bbox' must be four numbers: west,south,east,north",
                             field="bbox") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise BadRequestBody("bbox must be longitudes within -180..180 and latitudes within -90..90", field="bbox")
    return west, south, east, north


def _point(longitude: float, latitude: float, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": properties}


def _collection(features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}
