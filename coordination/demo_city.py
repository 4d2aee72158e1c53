"""A small demo city: agencies of every kind the shipped SOPs address, around one centre point."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.agencies import AgencyRegistration, RegisteredAgency, register_agency
from coordination.clock import Clock
from coordination.principals import SYSTEM
from coordination.store.tables import Agency
from sop_engine import AgencyRole

CITY_CENTRE = (77.5946, 12.9716)
"""Longitude and latitude of the demo city's centre."""


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: AgencyRole


DEMO_AGENCIES = (
    DemoAgency("police-central", "City Police, Central Division", AgencyRole.POLICE),
    DemoAgency("fire-central", "Fire and Emergency Services, Central", AgencyRole.FIRE),
    DemoAgency("ems-108", "108 Emergency Ambulance Service", AgencyRole.HEALTH),
    DemoAgency("discom-south", "Electricity Supply Company, South Circle", AgencyRole.ELECTRICITY),
    DemoAgency("city-gas", "City Gas Distribution", AgencyRole.GAS),
    DemoAgency("water-board", "Water Supply and Sewerage Board", AgencyRole.WATER),
    DemoAgency("municipal-corp", "Municipal Corporation", AgencyRole.MUNICIPAL),
    DemoAgency("traffic-police", "Traffic Police", AgencyRole.TRAFFIC),
    DemoAgency("ddma", "District Disaster Management Authority", AgencyRole.DISASTER_MANAGEMENT),
    DemoAgency("district-admin", "District Administration", AgencyRole.DISTRICT_ADMINISTRATION),
    DemoAgency("idsp-unit", "Integrated Disease Surveillance Unit", AgencyRole.HEALTH_SURVEILLANCE),
    DemoAgency("pollution-board", "State Pollution Control Board", AgencyRole.POLLUTION_CONTROL),
    DemoAgency("forest-dept", "Forest Department, Urban Trees Cell", AgencyRole.FOREST),
    DemoAgency("telecom-cell", "Telecom Emergency Coordination Cell", AgencyRole.TELECOM),
)


def seed_demo_agencies(
    *, session: Session, clock: Clock, webhook_url_for: dict[str, str], allowed_hosts: frozenset[str]
) -> dict[str, RegisteredAgency]:
    """Register the demo agencies that are not registered yet; return the new ones with tokens."""
    added = {}
    for demo in DEMO_AGENCIES:
        if session.scalar(select(Agency.id).where(Agency.code == demo.code)) is not None:
            continue
        added[demo.code] = register_agency(
            session=session, clock=clock, allowed_hosts=allowed_hosts, actor=SYSTEM,
            registration=AgencyRegistration(code=demo.code, name=demo.name, kind=demo.kind,
                                            webhook_url=webhook_url_for.get(demo.code)),
        )
    return added
