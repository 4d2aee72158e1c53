"""The console's navigation: one list of pages and the roles that may open each, so the bar
at the top of every page shows a person exactly the pages their role allows."""

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
    NavLink("task_console.tasks_page", "Tasks", frozenset({Role.AGENCY})),
    NavLink("kpi_console.kpis_page", "KPIs", EVERY_OFFICER | {Role.PLANNER}),
    NavLink("drill_console.drills_page", "Drills", frozenset({Role.PLANNER, Role.ADMINISTRATOR})),
    NavLink("agency_admin.agencies_page", "Agencies", ADMINISTRATORS),
    NavLink("fleet_admin.fleet_page", "Units", ADMINISTRATORS),
    NavLink("user_admin.users_page", "Users", ADMINISTRATORS),
    NavLink("sop_admin.sops_page", "SOPs", ADMINISTRATORS),
]
"""In the order they appear. A new console page adds its line here."""


def links_for(caller: Principal | None) -> list[NavLink]:
    if caller is None:
        return []
    return [link for link in NAV if caller.role in link.roles]
