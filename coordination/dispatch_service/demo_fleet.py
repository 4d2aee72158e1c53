"""The demo city's fleet: stations and units for the demo agencies, spread over its road grid."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.demo_city import CITY_CENTRE
from coordination.dispatch_service.fleet import StationRegistration, UnitRegistration, register_station, register_unit
from coordination.geojson import GeoPoint
from coordination.principals import SYSTEM
from coordination.store.tables import Agency, ResponseUnit, Station

DEMO_FLEET_SEED = 108

STATION_SPREAD_M = 3_800.0
"""Stations lie within this distance of the centre, inside the demo road grid (about 9 km across)."""


@dataclass(frozen=True)
class DemoStationKind:
    """An agency's stations in the demo: how many, and the units (type, capabilities) at each."""

    agency_code: str
    prefix: str
    stations: int
    units: tuple[tuple[str, tuple[str, ...]], ...]


DEMO_FLEET = (
    DemoStationKind("fire-central", "FS", 4, (("fire_engine", ("breathing_apparatus",)),
                                              ("fire_engine", ("breathing_apparatus",)),
                                              ("ladder", ("aerial_ladder",)))),
    DemoStationKind("fire-central", "FR", 1, (("rescue_tender", ("heavy_rescue",)),
                                              ("hazmat_unit", ("hazmat", "breathing_apparatus")))),
    DemoStationKind("ems-108", "EMS", 5, (("ambulance", ("bls",)), ("ambulance", ("bls",)),
                                          ("als_ambulance", ("als", "bls")))),
    DemoStationKind("police-central", "PS", 4, (("police_patrol", ()), ("police_patrol", ()),
                                                ("police_patrol", ("crowd_control",)))),
    DemoStationKind("traffic-police", "TP", 2, (("traffic_unit", ()), ("tow_truck", ()))),
    DemoStationKind("ddma", "DM", 2, (("rescue_boat", ("water_rescue",)), ("rescue_boat", ("water_rescue",)),
                                      ("rescue_team", ("heavy_rescue", "water_rescue")))),
    DemoStationKind("discom-south", "EL", 2, (("electricity_crew", ("line_repair",)),
                                              ("electricity_crew", ("generator",)))),
    DemoStationKind("city-gas", "GS", 1, (("gas_crew", ("gas_detection",)), ("gas_crew", ("gas_detection",)))),
    DemoStationKind("water-board", "WB", 2, (("water_tanker", ("potable_water",)), ("water_crew", ()))),
    DemoStationKind("municipal-corp", "MC", 2, (("pump", ("dewatering", "high_volume_pump")),
                                                ("earth_mover", ()), ("tree_cutting_crew", ("tree_cutting",)))),
)


def seed_demo_fleet(*, session: Session, clock: Clock) -> int:
    """Add the demo stations and units of every demo agency registered; return how many units were added.

    Positions come from a seeded generator, so every demo city is laid out the same; stations
    and units that exist already (by code) are left as they are.
    """
    rng = random.Random(DEMO_FLEET_SEED)
    added = 0
    for kind in DEMO_FLEET:
        agency = session.scalar(select(Agency).where(Agency.code == kind.agency_code))
        for number in range(1, kind.stations + 1):
            location = _demo_location(rng)
            if agency is None:
                continue
            code = f"{kind.prefix}-{number:02d}"
            station = session.scalar(select(Station).where(Station.code == code))
            if station is None:
                station = register_station(session=session, clock=clock, actor=SYSTEM, registration=StationRegistration(
                    code=code, name=f"{agency.name}, station {number}", agency_id=agency.id, location=location))
            for index, (unit_type, capabilities) in enumerate(kind.units, start=1):
                unit_code = f"{code}-{index}"
                if session.scalar(select(ResponseUnit.id).where(ResponseUnit.code == unit_code)) is not None:
                    continue
                register_unit(session=session, clock=clock, actor=SYSTEM, registration=UnitRegistration(
                    code=unit_code, unit_type=unit_type, station_id=station.id, capabilities=list(capabilities)))
                added += 1
    return added


def _demo_location(rng: random.Random) -> GeoPoint:
    """A point within `STATION_SPREAD_M` of the city centre."""
    angle = rng.uniform(0, 2 * math.pi)
    distance_m = STATION_SPREAD_M * math.sqrt(rng.random())
    lon0, lat0 = CITY_CENTRE
    metres_per_deg = math.pi * 6_371_000.0 / 180.0
    longitude = lon0 + distance_m * math.cos(angle) / (metres_per_deg * math.cos(math.radians(lat0)))
    latitude = lat0 + distance_m * math.sin(angle) / metres_per_deg
    return GeoPoint(type="Point", coordinates=(longitude, latitude))
