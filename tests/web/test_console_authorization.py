"""Every console route × every role: nobody signed in is sent to the sign-in page, a person
whose role may not open a page or post a form gets a 403 page in the console's layout (a
route a page's script reads gets 403 as problem+json, which the script understands), and every
form refuses a post without this session's CSRF token with a page saying the form expired. The
routes are read from the app's URL map, so a new page or form that is missing from
`CONSOLE_ROLES` fails here until someone decides who may use it, and a page that forgets its
check fails the matrix."""

from __future__ import annotations

import uuid

import pytest

from coordination import Role
from tests.web.console_session import heading_of
from tests.web.test_console import sign_in as sign_in_with_token
from web.console.nav import HOME, NAV

pytestmark = pytest.mark.database

ADMIN = frozenset({Role.ADMINISTRATOR})
OFFICERS = frozenset({Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER})
ACTING = frozenset({Role.DUTY_OFFICER, Role.ADMINISTRATOR})
AGENCY = frozenset({Role.AGENCY})
PLANNERS = frozenset({Role.PLANNER, Role.ADMINISTRATOR})
ANYONE = None
"""Open to everyone, signed in or not (signing in and out)."""

CONSOLE_ROLES: dict[str, frozenset[Role] | None] = {
    "console.sign_in": ANYONE,
    "console.submit_sign_in": ANYONE,
    "console.sign_out": ANYONE,
    "console.board": OFFICERS | AGENCY | {Role.PLANNER},  # agency users go on to their tasks, planners to drills
    "console.board_data": OFFICERS,
    "incident_console.incident_page": OFFICERS,
    "incident_console.integrity_page": OFFICERS,
    "alert_console.alerts_page": OFFICERS,
    "alert_console.alert_page": OFFICERS,
    "sensor_console.sensors_page": OFFICERS,
    "sensor_console.sensor_page": OFFICERS,
    "incident_console.answer": ACTING,
    "incident_console.stand_down_incident": ACTING,
    "incident_console.revise": ACTING,
    "device_commands_console.command_devices": ACTING,
    "task_console.tasks_page": AGENCY,
    "task_console.answer": AGENCY,
    "task_console.unit_status": AGENCY,
    "agency_admin.agencies_page": ADMIN,
    "agency_admin.register": ADMIN,
    "agency_admin.import_collection": ADMIN,
    "agency_admin.agency_page": ADMIN,
    "agency_admin.set_webhook": ADMIN,
    "agency_admin.rotate_secret": ADMIN,
    "fleet_admin.fleet_page": ADMIN,
    "fleet_admin.add_station": ADMIN,
    "fleet_admin.add_unit": ADMIN,
    "fleet_admin.station_page": ADMIN,
    "fleet_admin.change_station": ADMIN,
    "fleet_admin.unit_page": ADMIN,
    "fleet_admin.change_unit": ADMIN,
    "fleet_admin.change_unit_status": ADMIN,
    "user_admin.users_page": ADMIN,
    "user_admin.create": ADMIN,
    "user_admin.change": ADMIN,
    "sop_admin.sops_page": ADMIN,
    "sop_admin.upload": ADMIN,
    "sop_admin.version_page": ADMIN,
    "sop_admin.change_version": ADMIN,
    "drill_console.drills_page": PLANNERS,
    "drill_console.start_drill": PLANNERS,
    "drill_console.run_page": PLANNERS,
    "drill_console.run_progress": PLANNERS,
    "drill_console.report_file": PLANNERS,
    "drill_console.compare_page": PLANNERS,
    "sweep_console.sweeps_page": PLANNERS,
    "sweep_console.start_sweep": PLANNERS,
    "sweep_console.sweep_page": PLANNERS,
    "sweep_console.sweep_progress": PLANNERS,
    "sweep_console.sweep_report": PLANNERS,
    "kpi_console.kpis_page": OFFICERS | {Role.PLANNER},
    "kpi_console.kpis_csv": OFFICERS | {Role.PLANNER},
    "map_console.map_page": OFFICERS,
    "map_console.layers": OFFICERS,
    "map_console.base_layer": OFFICERS,
    "map_console.coverage": OFFICERS,
    "map_console.history": OFFICERS,
    "map_console.sensors": OFFICERS,
    "map_console.devices": OFFICERS,
    "map_console.live": OFFICERS,
    "map_console.find_place": OFFICERS,
    "map_console.declare": ACTING,
    "dispatch_console.ask": ACTING,
    "dispatch_console.accept": ACTING,
    "incident_records_console.start_sop": ACTING,
}
"""Who may use each console route. A new console route adds its line here."""

SCRIPT_ROUTES = {"console.board_data", "map_console.layers", "map_console.base_layer", "map_console.coverage",
                 "map_console.history", "map_console.sensors", "map_console.devices", "map_console.live",
                 "map_console.find_place", "drill_console.run_progress", "sweep_console.sweep_progress"}
"""Read by a page's script, so their errors are problem+json, and 401 to a caller not signed in
(the script reloads into the sign-in page) rather than a redirect; every other console route
answers an error with a page."""

NOT_CONSOLE = ("static",)
NOT_CONSOLE_BLUEPRINTS = ("operations", "problem_types")
"""Served outside the console: static files, health and metrics for the operators' tools, and the
problem-type pages that API errors link to (public documentation, no sign-in)."""


def console_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint in NOT_CONSOLE \
                or rule.endpoint.split(".")[0] in NOT_CONSOLE_BLUEPRINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_of(rule) -> str:
    """The route's path with a made-up value for each part (nothing it names exists)."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        values[name] = (uuid.UUID(int=1) if kind == "UUIDConverter" else 1 if kind == "IntegerConverter"
                        else sorted(converter.items)[0] if kind == "AnyConverter" else "nothing")
    return rule.build(values)[1]


def test_every_console_route_says_who_may_use_it(app):
    endpoints = {rule.endpoint for rule, _method in console_rules(app)}
    assert endpoints - CONSOLE_ROLES.keys() == set(), "add these console routes to CONSOLE_ROLES"
    assert CONSOLE_ROLES.keys() - endpoints == set(), "these routes are gone: remove them from CONSOLE_ROLES"


def test_exactly_the_routes_scripts_read_answer_errors_as_problem_json(app):
    marked = {rule.endpoint for rule, _method in console_rules(app)
              if getattr(app.view_functions[rule.endpoint], "read_by_scripts", False)}
    assert marked == SCRIPT_ROUTES


def refused(response, endpoint: str, who: Role) -> bool:
    """A 403 that the reader understands: problem+json for a script, a page for a person
    saying who they are signed in as."""
    if response.status_code != 403:
        return False
    if endpoint in SCRIPT_ROUTES:
        return response.content_type == "application/problem+json"
    page = response.get_data(as_text=True)
    return (response.mimetype == "text/html" and heading_of(page) == "Not allowed"
            and f"you are signed in as {name_of(who)} ({who.value.replace('_', ' ')})" in page)


CSRF = "matrix-csrf-token"


def name_of(who: Role) -> str:
    """The name each role's client is signed in with (an agency's token is named for it)."""
    return "fire-central" if who is Role.AGENCY else f"matrix-{who.value}"


@pytest.fixture
def people(app, make_token, make_agency):
    """A signed-in test client per role (and one signed in as nobody), each with a known CSRF
    token. They sign in with API tokens, which stand for a role exactly as a password account
    does (`test_console_users` signs people in with passwords) and cost no argon2 hashing."""
    _id, agency_token, _ = make_agency(name_of(Role.AGENCY), "fire")
    clients = {"anonymous": app.test_client()}
    for role in Role:
        client = app.test_client()
        token = agency_token if role is Role.AGENCY else make_token(role, name_of(role))
        sign_in_with_token(client, token)
        with client.session_transaction() as session:
            session["csrf"] = CSRF
        clients[role] = client
    return clients


def test_each_role_gets_exactly_what_it_should_on_every_console_route(app, people):
    """Nobody signed in: the sign-in page. A role not allowed: 403, as a page naming who they
    are. An allowed role: the route itself (a page, a redirect elsewhere, or a 4xx about the
    made-up values), never 401 or 403."""
    wrong = []
    # Signing out (open to anyone) ends each session: those routes go last.
    for rule, method in sorted(console_rules(app), key=lambda item: CONSOLE_ROLES[item[0].endpoint] is ANYONE):
        allowed = CONSOLE_ROLES[rule.endpoint]
        url = url_of(rule)
        data = {"csrf": CSRF} if method == "POST" else None
        for who, client in people.items():
            response = client.open(url, method=method, data=data)
            location = response.headers.get("Location", "")
            to_sign_in = response.status_code == 302 and location.endswith("/console/sign-in")
            if allowed is ANYONE:
                ok = response.status_code < 500 and response.status_code != 403
            elif who == "anonymous":
                ok = response.status_code == 401 if rule.endpoint in SCRIPT_ROUTES else to_sign_in
            elif who in allowed:
                ok = response.status_code not in (401, 403) and not to_sign_in and response.status_code < 500
            else:
                ok = refused(response, rule.endpoint, who)
            if not ok:
                wrong.append(f"{method} {url} as {getattr(who, 'value', who)}: {response.status_code} {location}")
    assert wrong == [], "\n".join(wrong)


def test_every_console_form_refuses_a_post_without_the_sessioncsrf_token(app, people):
    """400, with a page saying the form expired and to reload it."""
    wrong = []
    for rule, method in console_rules(app):
        if method != "POST":
            continue
        allowed = CONSOLE_ROLES[rule.endpoint]
        who = Role.ADMINISTRATOR if allowed is ANYONE or Role.ADMINISTRATOR in allowed else next(iter(allowed))
        for data in ({}, {"csrf": "a-token-from-another-session"}):
            response = people[who].post(url_of(rule), data=data)
            page = response.get_data(as_text=True)
            if response.status_code != 400 or heading_of(page) != "Form expired" or "Reload the page" not in page:
                wrong.append(f"POST {rule.rule} as {who.value} with {data}: {response.status_code} {heading_of(page)}")
    assert wrong == [], "\n".join(wrong)


def test_the_navigation_shows_each_role_exactly_the_pages_it_may_open():
    for link in NAV:
        allowed = CONSOLE_ROLES[link.endpoint] - ({Role.AGENCY, Role.PLANNER} if link.endpoint == "console.board" else set())
        assert link.roles == allowed, link.endpoint


def test_each_role_lands_on_a_page_it_may_open():
    for role, endpoint in HOME.items():
        assert role in CONSOLE_ROLES[endpoint], role
        assert [link.endpoint for link in NAV if link.endpoint == endpoint], f"{endpoint} is not in the navigation"
