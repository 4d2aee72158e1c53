"""A drill's private world: an in-memory SQLite database with the schema, SOPs and agencies.

Each replication gets its own, so replications share nothing and run in parallel processes.
The schema comes from the production migrations, the SOPs through the production catalogue.
"""

from __future__ import annotations

from datetime import datetime

from coordination import (
    SYSTEM,
    AgencyRegistration,
    ManualClock,
    Principal,
    Role,
    Store,
    install_shipped_sops,
    register_agency,
    store_sop_version,
    upgrade,
)
from coordination.demo_city import DEMO_AGENCIES
from simulation.scenario import Scenario
from sop_engine import AgencyRole, SopDefinitionError, SourceProblem, load_sop_text

DRILL_DUTY_OFFICER = Principal(token_id=None, name="drill-duty-officer", role=Role.DUTY_OFFICER)
"""Who declares drill incidents and takes the simulated duty officer's decisions."""


def open_world(scenario: Scenario, *, start: datetime) -> tuple[Store, dict[str, Principal]]:
    """Create the database and return it with a principal per agency code."""
    store = Store("sqlite://")
    upgrade(store)
    clock = ManualClock(start)
    principals: dict[str, Principal] = {}
    with store.transaction() as session:
        if scenario.sops == "shipped":
            install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
        else:
            for path in sop_files(scenario):
                store_sop_version(session=session, clock=clock, text=path.read_text(encoding="utf-8"),
                                  source=str(path), actor=SYSTEM)
        specs = ([(a.code, a.name, a.kind) for a in DEMO_AGENCIES] if scenario.agencies == "demo"
                 else [(a.code, a.code, a.kind) for a in scenario.agencies])
        for code, name, kind in specs:
            registered = register_agency(
                session=session, clock=clock, allowed_hosts=frozenset(), actor=SYSTEM,
                registration=AgencyRegistration(code=code, name=name, kind=AgencyRole(kind)),
            )
            principals[code] = Principal(token_id=None, name=code, role=Role.AGENCY,
                                         agency_id=registered.agency.id)
    return store, principals


def sop_files(scenario: Scenario):
    """The SOP files of a scenario's folder, in name order; every one must load.

    Raises:
        SopDefinitionError: the folder holds no SOP, or a file is invalid.
    """
    folder = scenario.path(scenario.sops)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise SopDefinitionError([SourceProblem(str(folder), 0, "no SOP files (*.yaml) in this folder")])
    for path in files:
        load_sop_text(path.read_text(encoding="utf-8"), source=str(path))
    return files
