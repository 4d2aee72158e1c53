"""Every agency-facing route × (own agency, other agency, no token, bad token, expired token,
rotated-away token): an agency reaches only its own tasks and itself; every other agency's are
invisible (404); a missing, unknown, expired or revoked token is 401."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coordination import SYSTEM, Role, issue_token
from coordination.devices import SHIPPED_DEVICE_KINDS, DeviceRegistration, register_device
from coordination.dispatch_service import StationRegistration, UnitRegistration, register_station, register_unit
from coordination.geojson import GeoPoint
from coordination.sensors import SHIPPED_KINDS, SensorRegistration, register_sensor
from tests.web.conftest import FIRE_REPORT, bearer

pytestmark = pytest.mark.database

# (route id, method, path template, JSON body, own agency's expected status)
AGENCY_ROUTES = [
    ("list-tasks", "GET", "/api/v1/tasks", None, 200),
    ("read-task", "GET", "/api/v1/tasks/{task}", None, 200),
    ("task-deliveries", "GET", "/api/v1/tasks/{task}/deliveries", None, 200),
    ("acknowledge", "POST", "/api/v1/tasks/{task}/acknowledge", None, 200),
    ("progress", "POST", "/api/v1/tasks/{task}/progress", {"note": "on scene"}, 409),  # not acknowledged yet
    ("complete", "POST", "/api/v1/tasks/{task}/complete", {"note": "done"}, 200),
    ("reject", "POST", "/api/v1/tasks/{task}/reject", {"reason": "not ours"}, 200),
    ("read-agency", "GET", "/api/v1/agencies/{agency}", None, 200),
    ("rotate-token", "POST", "/api/v1/agencies/{agency}/token", None, 200),
    ("rotate-secret", "POST", "/api/v1/agencies/{agency}/webhook-secret", None, 200),
    ("list-stations", "GET", "/api/v1/stations", None, 200),
    ("list-units", "GET", "/api/v1/units", None, 200),
    ("read-unit", "GET", "/api/v1/units/{unit}", None, 200),
    ("unit-position", "POST", "/api/v1/units/{unit}/position",
     {"location": {"type": "Point", "coordinates": [77.6, 12.98]}}, 200),
    ("unit-status", "POST", "/api/v1/units/{unit}/status", {"status": "out_of_service"}, 200),
    ("list-sensors", "GET", "/api/v1/sensors", None, 200),
    ("read-sensor", "GET", "/api/v1/sensors/{sensor}", None, 200),
    ("sensor-readings", "GET", "/api/v1/sensors/{sensor}/readings", None, 200),
    ("list-devices", "GET", "/api/v1/devices", None, 200),
    ("read-device", "GET", "/api/v1/devices/{device}", None, 200),
]
LISTS = {"list-tasks", "list-stations", "list-units", "list-sensors", "list-devices"}
"""Lists answer another agency with its own items (none of the fire agency's)."""


def test_the_matrix_covers_every_route_an_agency_may_call(app):
    agency_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                        if Role.AGENCY in getattr(app.view_functions[rule.endpoint], "allowed_roles", ())}
    adapter = app.url_map.bind("localhost")
    nothing = "00000000-0000-4000-8000-000000000000"
    covered = {adapter.match(path.format(task=nothing, agency="x", unit=nothing, sensor="x", device="x"),
                             method=method)[0] for _id, method, path, _body, _status in AGENCY_ROUTES}
    assert agency_endpoints == covered


@pytest.fixture
def world(client, store, clock, officer, make_agency):
    """Fire (whose task it is) and police (another agency), each with a token; an expired fire
    token; a fire token revoked by rotation."""
    _fire_id, fire_token, _ = make_agency("fire-central", "fire", "http://127.0.0.1:9/hook")
    _police_id, police_token, _ = make_agency("police-central", "police", "http://127.0.0.1:9/hook")
    with store.transaction() as session:
        expired = issue_token(session=session, clock=clock, name="fire-old", role=Role.AGENCY, agency_id=_fire_id,
                              expires_at=clock.now() - timedelta(seconds=1))
        revoked = issue_token(session=session, clock=clock, name="fire-lost", role=Role.AGENCY, agency_id=_fire_id)
    fire_tasks = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json["tasks"]
    task = next(task for task in fire_tasks if task["agency"]["code"] == "fire-central")["id"]
    with store.transaction() as session:
        station = register_station(session=session, clock=clock, actor=SYSTEM, registration=StationRegistration(
            code="FS-01", name="Fire station 1", agency_id=_fire_id,
            location=GeoPoint(type="Point", coordinates=(77.5946, 12.9716))))
        unit = register_unit(session=session, clock=clock, actor=SYSTEM, registration=UnitRegistration(
            code="FS-01-1", unit_type="fire_engine", station_id=station.id)).id
        register_sensor(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_KINDS, registration=SensorRegistration(
            id="hydrant-pressure-1", kind="pipe_pressure", unit="kPa", agency="fire-central", interval_s=60,
            location=GeoPoint(type="Point", coordinates=(77.5946, 12.9716))))
        register_device(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_DEVICE_KINDS,
                        registration=DeviceRegistration(id="fire-siren-1", kind="siren", agency="fire-central",
                                                        location=GeoPoint(type="Point", coordinates=(77.5946, 12.9716))))
    return {"own": bearer(fire_token), "other": bearer(police_token), "none": {},
            "bad": bearer("iccc_forged-token"), "expired": bearer(expired), "revoked": bearer(revoked)}, {
        "task": task, "unit": str(unit), "sensor": "hydrant-pressure-1", "device": "fire-siren-1"}


@pytest.mark.parametrize("route", AGENCY_ROUTES, ids=[route[0] for route in AGENCY_ROUTES])
def test_an_agency_reaches_only_its_own(client, world, route):
    _id, method, path, body, own_status = route
    callers, ids = world
    task = ids["task"]
    url = path.format(task=task, agency="fire-central", unit=ids["unit"], sensor=ids["sensor"], device=ids["device"])
    kwargs = {"json": body} if body is not None else {}
    for caller, expected in [("none", 401), ("bad", 401), ("expired", 401), ("other", 404)]:
        response = client.open(url, method=method, headers=callers[caller], **kwargs)
        if _id in LISTS and caller == "other":
            assert response.status_code == 200
            assert all(item["agency"]["code"] == "police-central" for item in response.json["items"])
            continue
        assert response.status_code == expected, (caller, response.get_data(as_text=True))
        assert response.content_type == "application/problem+json"
        if expected == 404:  # exactly what a task or agency that does not exist gets
            assert response.json["detail"].endswith("does not exist")
    response = client.open(url, method=method, headers=callers["own"], **kwargs)
    assert response.status_code == own_status, response.get_data(as_text=True)
    if _id == "list-tasks":
        assert [item["id"] for item in response.json["items"]] == [task]  # police's own task is not listed


def test_a_rotated_token_stops_working_and_the_new_one_works(client, world):
    callers, ids = world
    task = ids["task"]
    rotated = client.post("/api/v1/agencies/fire-central/token", headers=callers["own"]).json["api_token"]
    for old in ("own", "revoked"):
        assert client.get(f"/api/v1/tasks/{task}", headers=callers[old]).status_code == 401
    assert client.get(f"/api/v1/tasks/{task}", headers=bearer(rotated)).status_code == 200


# Every API route × every role. `allowed_roles` on each view is what the `api` decorator
# enforces; this table is the specification it is held to, so that widening a route's roles,
# or adding a route, is a decision someone writes down here.

ADMIN = {Role.ADMINISTRATOR}
OFFICERS = {Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER}
ACTING = {Role.DUTY_OFFICER, Role.ADMINISTRATOR}
AGENCY_AND_OFFICERS = OFFICERS | {Role.AGENCY}
AGENCY_AND_ACTING = ACTING | {Role.AGENCY}
ANY_ROLE = set(Role)
PUBLIC = None
"""No token needed: the public feed, and the API's own description."""

API_ROLES: dict[str, set[Role] | None] = {
    "incidents.declare": ACTING,
    "incidents.list_incidents": OFFICERS,
    "incidents.read": OFFICERS,
    "incidents.revise": ACTING,
    "incidents.timeline": OFFICERS,
    "incident_runs.list_startable": OFFICERS,
    "incident_runs.start": ACTING,
    "tasks.list_tasks": AGENCY_AND_OFFICERS,
    "tasks.read": AGENCY_AND_OFFICERS,
    "tasks.acknowledge": AGENCY_AND_ACTING,
    "tasks.progress": AGENCY_AND_ACTING,
    "tasks.complete": AGENCY_AND_ACTING,
    "tasks.reject": AGENCY_AND_ACTING,
    "tasks.deliveries": AGENCY_AND_ACTING,
    "agencies.register": ADMIN,
    "agencies.list_agencies": OFFICERS,
    "agencies.read": AGENCY_AND_OFFICERS,
    "agencies.import_geojson": ADMIN,
    "agencies.rotate_token": ADMIN | {Role.AGENCY},
    "agencies.rotate_secret": ADMIN | {Role.AGENCY},
    "agencies.enable": ADMIN,
    "sops.list_sops": ANY_ROLE,
    "sops.schema": ANY_ROLE,
    "sops.read_version": ANY_ROLE,
    "sops.upload": ADMIN,
    "sops.activate": ADMIN,
    "sops.retire": ADMIN,
    "rules.list_rules": OFFICERS | {Role.PLANNER},
    "rules.schema": OFFICERS | {Role.PLANNER},
    "rules.read_version": OFFICERS | {Role.PLANNER},
    "rules.upload": ADMIN,
    "rules.activate": ADMIN,
    "rules.retire": ADMIN,
    "rules.list_outcomes": OFFICERS | {Role.PLANNER},
    "escalations.list_escalations": OFFICERS,
    "decisions.list_decisions": OFFICERS,
    "decisions.read_decision": OFFICERS,
    "decisions.answer": ACTING,
    "decisions.stand_down_incident": ACTING,
    "integrity.read_integrity": OFFICERS,
    "alerts.receive_cap": ACTING | {Role.ALERT_SOURCE},
    "alerts.list_cap": OFFICERS,
    "notices.draft": ACTING,
    "notices.list_notices": OFFICERS,
    "notices.approve": {Role.DUTY_OFFICER},
    "officer_alerts.list_officer_alerts": OFFICERS,
    "officer_alerts.acknowledge": {Role.DUTY_OFFICER},
    "public.incidents": PUBLIC,
    "public.incidents_geojson": PUBLIC,
    "public.alerts_feed": PUBLIC,
    "public.alert": PUBLIC,
    "webhooks.dead_letters": OFFICERS,
    "webhooks.replay": ACTING,
    "units.register_a_station": ADMIN,
    "units.list_stations": AGENCY_AND_OFFICERS,
    "units.register_a_unit": ADMIN,
    "units.list_units": AGENCY_AND_OFFICERS,
    "units.read_unit": AGENCY_AND_OFFICERS,
    "units.report_position": ADMIN | {Role.AGENCY},
    "units.report_unit_status": ADMIN | {Role.AGENCY},
    "dispatch.recommend": ACTING,
    "dispatch.list_recommendations": OFFICERS,
    "dispatch.read_recommendation": OFFICERS,
    "dispatch.accept": ACTING,
    "users.list_users": ADMIN,
    "users.read": ADMIN,
    "users.create": ADMIN,
    "tokens.list_tokens": ADMIN,
    "tokens.create": ADMIN,
    "tokens.revoke": ADMIN,
    "users.change": ADMIN,
    "users.change_password": ADMIN,
    "sensors.list_sensors": AGENCY_AND_OFFICERS | {Role.PLANNER},
    "sensors.read_sensor": AGENCY_AND_OFFICERS | {Role.PLANNER},
    "sensors.register_a_sensor": ADMIN,
    "sensors.import_geojson": ADMIN,
    "sensors.sensors_geojson_layer": OFFICERS | {Role.PLANNER},
    "devices.list_devices": AGENCY_AND_OFFICERS | {Role.PLANNER},
    "devices.read_device": AGENCY_AND_OFFICERS | {Role.PLANNER},
    "devices.register_a_device": ADMIN,
    "devices.list_incident_commands": OFFICERS,
    "devices.command_incident_devices": ACTING,
    "readings.receive_senml": ADMIN | {Role.SENSOR_FEED},
    "readings.receive_ngsi_ld": ADMIN | {Role.SENSOR_FEED},
    "readings.sensor_readings": AGENCY_AND_OFFICERS | {Role.PLANNER},
    "readings.dead_letters": OFFICERS,
    "openapi.document": PUBLIC,
}


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def declared_roles(app, endpoint: str) -> set[Role] | None:
    view = app.view_functions[endpoint]
    if getattr(view, "is_public", False) or not hasattr(view, "allowed_roles"):
        return PUBLIC
    return set(view.allowed_roles) or ANY_ROLE


def test_every_api_route_is_in_the_role_table_and_enforces_it(app):
    endpoints = {rule.endpoint for rule, _method in api_rules(app)}
    assert endpoints - API_ROLES.keys() == set(), "add these API routes to API_ROLES"
    assert API_ROLES.keys() - endpoints == set(), "these routes are gone: remove them from API_ROLES"
    assert {endpoint: declared_roles(app, endpoint) for endpoint in endpoints} == \
        {endpoint: API_ROLES[endpoint] for endpoint in endpoints}


def test_every_api_route_refuses_no_token_and_every_role_it_does_not_allow(app, client, make_token, make_agency):
    """No token: 401. A role not in the table: 403 (before the body is read). An allowed role:
    the route itself (here a 4xx about made-up values or a missing body), never 401 or 403."""
    _id, agency_token, _ = make_agency("fire-central", "fire")
    tokens = {role: agency_token if role is Role.AGENCY else make_token(role, f"matrix-{role.value}") for role in Role}
    adapter = app.url_map.bind("localhost")
    wrong = []
    for rule, method in api_rules(app):
        allowed = API_ROLES[rule.endpoint]
        values = {name: "00000000-0000-4000-8000-000000000000" if type(conv).__name__ == "UUIDConverter"
                  else 1 if type(conv).__name__ == "IntegerConverter" else "nothing"
                  for name, conv in rule._converters.items()}
        url = adapter.build(rule.endpoint, values, method=method)
        anonymous = client.open(url, method=method)
        if (anonymous.status_code == 401) != (allowed is not PUBLIC):
            wrong.append(f"{method} {url} with no token: {anonymous.status_code}")
        if allowed is PUBLIC:
            continue
        for role, token in tokens.items():
            status = client.open(url, method=method, headers=bearer(token)).status_code
            if (status == 403) == (role in allowed) or status == 401:
                wrong.append(f"{method} {url} as {role.value}: {status}")
    assert wrong == [], "\n".join(wrong)
