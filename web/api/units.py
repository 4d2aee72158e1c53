"""Stations and units: administrators register them; agencies report their own units' positions and status."""

from __future__ import annotations

import uuid

from flask import Blueprint, url_for

from coordination import Role
from coordination.dispatch_service import (
    PositionFix,
    StationRegistration,
    StatusReport,
    UnitRegistration,
    record_position,
    register_station,
    register_unit,
    report_status,
    station_json,
    unit_json,
    visible_unit,
)
from coordination.planner import UnitStatus
from coordination.queries.fleet import stations_query, units_query
from web.api.listing import page_of
from web.api.query import arg, choice, page, takes_query
from web.app.context import api, json_body, principal, services, session

blueprint = Blueprint("units", __name__)

READERS = (Role.AGENCY, Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)
REPORTERS = (Role.AGENCY, Role.ADMINISTRATOR)


def _own_agency():
    """The caller's agency if it is an agency (it sees only its own), else None (it sees all)."""
    return principal().agency_id if principal().role is Role.AGENCY else None


@blueprint.post("/stations")
@api(Role.ADMINISTRATOR)
def register_a_station():
    """Register a station of an agency."""
    station = register_station(session=session(), clock=services().clock, registration=json_body(StationRegistration),
                               actor=principal())
    return station_json(station), 201, {"Location": url_for("units.list_stations") + f"/{station.id}"}


@blueprint.get("/stations")
@api(*READERS)
@takes_query(*page())
def list_stations():
    """Stations, by code: an agency sees only its own."""
    return page_of(stations_query(agency_id=_own_agency()), station_json)


@blueprint.post("/units")
@api(Role.ADMINISTRATOR)
def register_a_unit():
    """Register a unit at its home station; its type must belong to the station's kind of agency."""
    unit = register_unit(session=session(), clock=services().clock, registration=json_body(UnitRegistration),
                         actor=principal())
    return unit_json(unit), 201, {"Location": url_for("units.read_unit", unit_id=unit.id)}


@blueprint.get("/units")
@api(*READERS)
@takes_query(choice("status", UnitStatus, "Only units in this status"), *page())
def list_units():
    """Units, by call sign: an agency sees only its own; `status` and `type` filter."""
    return page_of(units_query(agency_id=_own_agency(), status=arg("status")), unit_json)


@blueprint.get("/units/<uuid:unit_id>")
@api(*READERS)
def read_unit(unit_id: uuid.UUID):
    """One unit (404 for another agency's unit)."""
    return unit_json(visible_unit(session=session(), principal=principal(), unit_id=unit_id))


@blueprint.post("/units/<uuid:unit_id>/position")
@api(*REPORTERS)
def report_position(unit_id: uuid.UUID):
    """An AVL fix for the agency's own unit; a fix older than the last one is ignored."""
    unit = record_position(session=session(), clock=services().clock, principal=principal(), unit_id=unit_id,
                           fix=json_body(PositionFix))
    return unit_json(unit)


@blueprint.post("/units/<uuid:unit_id>/status")
@api(*REPORTERS)
def report_unit_status(unit_id: uuid.UUID):
    """The agency's status report for its own unit (en route, on scene, returning, available, out of service)."""
    unit = report_status(session=session(), clock=services().clock, principal=principal(), unit_id=unit_id,
                         report=json_body(StatusReport))
    return unit_json(unit)
