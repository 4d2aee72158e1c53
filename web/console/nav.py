"""The console's navigation: one list of pages and the roles that may open each, so the bar
at the top of every page shows a person exactly the pages their role allows, and the page
each role starts from."""

from __future__ import annotations

from dataclasses import dataclass

from coordination import Principal, Role

EVERY_OFFICER = frozenset({Role.DUTY_OFFICER, Role.ADMINISTRATOR, Role.VIEWER})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    roles: frozenset[Role]


NAV: list[NavLink] = [
    NavLink("console.board", "Board", EVERY_OFFICER),
    NavLink("map_console.map_page", "Map", EVERY_OFFICER),
    NavLink("incident_console.integrity_page", "Integrity", EVERY_OFFICER),
    NavLink("alert_console.alerts_page", "CAP alerts", EVERY_OFFICER),
    NavLink("sensor_console.sensors_page", "Sensors", EVERY_OFFICER),
    NavLink("task_console.tasks_page", "Tasks", frozenset({Role.AGENCY})),
    NavLink("kpi_console.kpis_page", "KPIs", EVERY_OFFICER | {Role.PLANNER}),
    NavLink("drill_console.drills_page", "Drills", frozenset({Role.PLANNER, Role.ADMINISTRATOR})),
    NavLink("sweep_console.sweeps_page", "Sweeps", frozenset({Role.PLANNER, Role.ADMINISTRATOR})),
    NavLink("agency_admin.agencies_page", "Agencies", ADMINISTRATORS),
    NavLink("fleet_admin.fleet_page", "Units", ADMINISTRATORS),
    NavLink("user_admin.users_page", "Users", ADMINISTRATORS),
    NavLink("sop_admin.sops_page", "SOPs", ADMINISTRATORS),
]
"""In the order they appear. A new console page adds its line here."""


HOME: dict[Role, str] = {
    Role.DUTY_OFFICER: "console.board",
    Role.ADMINISTRATOR: "console.board",
    Role.VIEWER: "console.board",
    Role.AGENCY: "task_console.tasks_page",
    Role.PLANNER: "drill_console.drills_page",
}
"""The page each role lands on after signing in; a role missing here has no console pages."""

PEOPLE: dict[Role, str] = {
    Role.ADMINISTRATOR: "administrators",
    Role.DUTY_OFFICER: "duty officers",
    Role.VIEWER: "viewers",
    Role.PLANNER: "planners",
    Role.AGENCY: "agency staff",
    Role.ALERT_SOURCE: "alert sources",
    Role.SENSOR_FEED: "sensor feeds",
}
"""The people holding each role, as a refusal names who may use a page."""


def links_for(caller: Principal | None) -> list[NavLink]:
    if caller is None:
        return []
    return [link for link in NAV if caller.role in link.roles]


def home_for(caller: Principal | None) -> NavLink | None:
    """The link to the page the caller lands on (None: nobody signed in, or a role with no pages)."""
    endpoint = HOME.get(caller.role) if caller is not None else None
    return next((link for link in NAV if link.endpoint == endpoint), None)


def role_label(role: Role) -> str:
    return role.value.replace("_", " ")


def audience(roles: frozenset[Role] | set[Role]) -> str:
    """Who holds `roles`, as a phrase: "duty officers, administrators and viewers"."""
    names = [PEOPLE[role] for role in Role if role in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
