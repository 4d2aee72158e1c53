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


DEMO_LANDMARKS: tuple[tuple[str, float, float], ...] = (
    ("Vidhana Soudha", 77.5910, 12.9794),
    ("Cubbon Park", 77.5929, 12.9763),
    ("M. Chinnaswamy Stadium", 77.5996, 12.9788),
    ("Kempegowda Bus Station", 77.5720, 12.9770),
    ("KSR City Railway Station", 77.5695, 12.9781),
    ("Lalbagh Botanical Garden", 77.5848, 12.9507),
    ("MG Road Metro Station", 77.6066, 12.9755),
    ("Town Hall", 77.5855, 12.9637),
    ("Victoria Hospital", 77.5737, 12.9627),
    ("Bowring Hospital", 77.6047, 12.9826),
    ("Shivajinagar Bus Station", 77.6057, 12.9857),
    ("Bangalore Palace", 77.5920, 12.9987),
)
"""Well-known places of the demo city (name, longitude, latitude; positions to about 100 m),
so that a duty officer can declare an incident "at Town Hall" in the demo's gazetteer."""
