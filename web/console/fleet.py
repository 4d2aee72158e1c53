"""Administrators' console: stations and units, listed by agency, type and status; added and
corrected with their coordinates checked; a unit taken out of service (and back) by the same
status report an agency's gateway sends."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from pydantic import ValidationError

from coordination import Conflict, InvalidInput
from coordination.dispatch_service import (
    UNIT_CAPABILITIES,
    StationChange,
    StationRegistration,
    StatusReport,
    UnitChange,
    UnitRegistration,
    edit_station,
    edit_unit,
    register_station,
    register_unit,
    report_status,
)
from coordination.planner import UnitStatus
from coordination.queries.agencies import agency_id_for_code, all_agencies
from coordination.queries.fleet import all_stations, find_station, find_unit, fleet_listing, stations_of
from sop_engine.vocabulary import UNIT_TYPES
from web.app.context import services
from web.app.problems import status_for
from web.console.access import csrf_token
from web.console.forms import (
    LOCATION_FIELDS,
    administrator,
    administrator_posting,
    field_errors,
    form_text,
    point_from_form,
)

blueprint = Blueprint("fleet_admin", __name__)

def _capabilities_from_form() -> list[str]:
    return [item.strip() for item in form_text("capabilities").replace(",", " ").split() if item.strip()]


def _filters() -> dict[str, str]:
    return {name: request.args.get(name, "") for name in ("agency", "type", "status")}


def _fleet_page(*, status: int = 200, station_errors: dict | None = None, unit_errors: dict | None = None,
                form_name: str = ""):
    caller = administrator()
    filters = _filters()
    context = services()
    with context.store.transaction() as db:
        stations, units = fleet_listing(db, agency_code=filters["agency"], unit_type=filters["type"],
                                        status=filters["status"], unit_limit=500)
        page = render_template(
            "admin/fleet.html", caller=caller, csrf_token=csrf_token(), filters=filters, agencies=all_agencies(db),
            stations=stations, units=units, all_stations=all_stations(db),
            unit_types=sorted(UNIT_TYPES), statuses=[item.value for item in UnitStatus],
            capabilities=sorted(UNIT_CAPABILITIES), form=request.form if request.method == "POST" else {},
            form_name=form_name, station_errors=station_errors or {}, unit_errors=unit_errors or {},
            out_of_service=UnitStatus.OUT_OF_SERVICE,
        )
    return page, status


@blueprint.get("/console/admin/fleet")
def fleet_page():
    administrator()  # who may look is settled before what they asked for
    if any(value and value not in allowed for value, allowed in (
            (request.args.get("status", ""), {item.value for item in UnitStatus}),
            (request.args.get("type", ""), set(UNIT_TYPES)))):
        abort(400)
    return _fleet_page()


@blueprint.post("/console/admin/stations")
def add_station():
    caller = administrator_posting()
    context = services()
    try:
        with context.store.transaction() as db:
            agency_id = agency_id_for_code(db, form_text("agency"))
            if agency_id is None:
                raise InvalidInput("choose the station's agency", field="agency")
            registration = StationRegistration.model_validate({
                "code": form_text("code"), "name": form_text("name"), "agency_id": agency_id,
                "location": point_from_form()})
            register_station(session=db, clock=context.clock, registration=registration, actor=caller)
    except (ValidationError, InvalidInput, Conflict) as error:
        return _fleet_page(status=status_for(error), form_name="station",
                           station_errors=field_errors(error, aliases=LOCATION_FIELDS))
    return redirect(url_for("fleet_admin.fleet_page"))


@blueprint.post("/console/admin/units")
def add_unit():
    caller = administrator_posting()
    context = services()
    try:
        registration = UnitRegistration.model_validate({
            "code": form_text("code"), "unit_type": form_text("unit_type"), "station_id": form_text("station_id"),
            "capabilities": _capabilities_from_form()})
        with context.store.transaction() as db:
            register_unit(session=db, clock=context.clock, registration=registration, actor=caller)
    except (ValidationError, InvalidInput, Conflict) as error:
        return _fleet_page(status=status_for(error), form_name="unit", unit_errors=field_errors(error))
    return redirect(url_for("fleet_admin.fleet_page"))


def _station_page(station_id: uuid.UUID, *, status: int = 200, errors: dict | None = None):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        station = find_station(db, station_id)
        if station is None:
            abort(404)
        page = render_template("admin/station.html", caller=caller, csrf_token=csrf_token(), station=station,
                               form=request.form if request.method == "POST" else {}, errors=errors or {})
    return page, status


@blueprint.get("/console/admin/stations/<uuid:station_id>")
def station_page(station_id: uuid.UUID):
    return _station_page(station_id)


@blueprint.post("/console/admin/stations/<uuid:station_id>")
def change_station(station_id: uuid.UUID):
    caller = administrator_posting()
    context = services()
    try:
        change = StationChange.model_validate({"name": form_text("name"), "location": point_from_form()})
        with context.store.transaction() as db:
            edit_station(session=db, clock=context.clock, station_id=station_id, change=change, actor=caller)
    except ValidationError as error:
        return _station_page(station_id, status=status_for(error),
                             errors=field_errors(error, aliases=LOCATION_FIELDS))
    return redirect(url_for("fleet_admin.fleet_page"))


def _unit_page(unit_id: uuid.UUID, *, status: int = 200, errors: dict | None = None):
    caller = administrator()
    context = services()
    with context.store.transaction() as db:
        unit = find_unit(db, unit_id)
        if unit is None:
            abort(404)
        page = render_template(
            "admin/unit.html", caller=caller, csrf_token=csrf_token(), unit=unit,
            stations=stations_of(db, unit.agency_id),
            unit_types=sorted(name for name, owner in UNIT_TYPES.items() if owner is unit.agency.kind),
            capabilities=sorted(UNIT_CAPABILITIES), form=request.form if request.method == "POST" else {},
            errors=errors or {}, out_of_service=UnitStatus.OUT_OF_SERVICE,
        )
    return page, status


@blueprint.get("/console/admin/units/<uuid:unit_id>")
def unit_page(unit_id: uuid.UUID):
    return _unit_page(unit_id)


@blueprint.post("/console/admin/units/<uuid:unit_id>")
def change_unit(unit_id: uuid.UUID):
    caller = administrator_posting()
    context = services()
    try:
        change = UnitChange.model_validate({"unit_type": form_text("unit_type"),
                                            "station_id": form_text("station_id"),
                                            "capabilities": _capabilities_from_form()})
        with context.store.transaction() as db:
            edit_unit(session=db, clock=context.clock, unit_id=unit_id, change=change, actor=caller)
    except (ValidationError, InvalidInput) as error:
        return _unit_page(unit_id, status=status_for(error), errors=field_errors(error))
    return redirect(url_for("fleet_admin.fleet_page"))


@blueprint.post("/console/admin/units/<uuid:unit_id>/status")
def change_unit_status(unit_id: uuid.UUID):
    """Take a unit out of service (ending any assignment, as an agency's report would), or back."""
    caller = administrator_posting()
    context = services()
    try:
        report = StatusReport.model_validate({"status": form_text("status"), "note": form_text("note")})
        if report.status not in (UnitStatus.OUT_OF_SERVICE, UnitStatus.AVAILABLE):
            raise InvalidInput("the console takes a unit out of service or back into service", field="status")
        with context.store.transaction() as db:
            report_status(session=db, clock=context.clock, principal=caller, unit_id=unit_id, report=report)
    except (ValidationError, InvalidInput, Conflict) as error:
        return _unit_page(unit_id, status=status_for(error),
                          errors={"status": next(iter(field_errors(error).values()))})
    return redirect(url_for("fleet_admin.unit_page", unit_id=unit_id))
