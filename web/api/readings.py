"""The readings' HTTP doors (a SenML batch, an NGSI-LD notification), a sensor's readings, and
the intake's dead letters. The doors take an integration token (role sensor_feed) and answer what
became of each reading; every refused one is also kept as a dead letter."""

from __future__ import annotations

from flask import Blueprint, request

from coordination import Role
from coordination.intake import PROBLEMS, IncomingMessage, IntakeResult, ReadingsRefused
from coordination.intake.queries import dead_letter_json, dead_letters_query, reading_json, readings_query
from coordination.sensors import visible_sensor
from web.api.listing import page_of
from web.api.query import arg, page, takes_query, text, words
from web.app.context import api, integration, principal, services, session
from web.app.problems import BadRequestBody

blueprint = Blueprint("readings", __name__)

FEEDS = (Role.SENSOR_FEED, Role.ADMINISTRATOR)
SENML_TYPES = frozenset({"application/senml+json", "application/json"})
NGSI_LD_TYPES = frozenset({"application/ld+json", "application/json"})
OFFICERS = (Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER)


def _take(body_format: str, types: frozenset[str]) -> tuple[dict, int]:
    if request.mimetype not in types:
        raise BadRequestBody(f"send the body as {' or '.join(sorted(types))}", status=415)
    result = services().intake.take([IncomingMessage(source="http" if body_format == "senml" else "ngsi-ld",
                                                     origin=principal().name, payload=request.get_data(),
                                                     format=body_format)])
    return _answer(result)


def _answer(result: IntakeResult) -> tuple[dict, int]:
    """200 when any reading was taken (the refused ones listed); a 422 problem when none was.
    Either way every refused reading is kept as a dead letter."""
    if result.refusals and not (result.stored or result.repeated):
        raise ReadingsRefused(result.refusals)
    return {"stored": result.stored, "repeated": result.repeated,
            "refused": [{"problem": item.problem, "reason": item.reason, "sensor_id": item.sensor_id}
                        for item in result.refusals]}, 200


@blueprint.post("/readings")
@integration(*FEEDS)
def receive_senml():
    """A SenML (RFC 8428) JSON pack of readings."""
    return _take("senml", SENML_TYPES)


@blueprint.post("/readings/ngsi-ld")
@integration(*FEEDS)
def receive_ngsi_ld():
    """An NGSI-LD notification (what a FIWARE or IUDX subscription POSTs)."""
    return _take("ngsi-ld", NGSI_LD_TYPES)


@blueprint.get("/sensors/<sensor_id>/readings")
@api(Role.AGENCY, *OFFICERS, Role.PLANNER)
@takes_query(*page())
def sensor_readings(sensor_id: str):
    """A sensor's readings, newest first (404 for another agency's sensor)."""
    sensor = visible_sensor(session=session(), principal=principal(), sensor_id=sensor_id)
    return page_of(readings_query(sensor.id), reading_json)


@blueprint.get("/intake/dead-letters")
@api(*OFFICERS)
@takes_query(words("problem", sorted(PROBLEMS), "Only refusals of this kind"),
             text("sensor_id", "Only refusals naming this sensor", max_length=200), *page())
def dead_letters():
    """Readings and messages the intake refused, newest first; `problem` and `sensor_id` filter."""
    return page_of(dead_letters_query(problem=arg("problem"), sensor_id=arg("sensor_id")), dead_letter_json)
