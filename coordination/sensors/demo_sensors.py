"""The demo city's sensors: storm-water drains along one road (three over their mark together are
the shipped flood rule's cluster), rain gauges, electricity feeders and water-main pressure on
SCADA, an air-quality station and a panic button, each owned by its demo agency."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.demo_city import CITY_CENTRE
from coordination.geojson import GeoPoint
from coordination.principals import SYSTEM
from coordination.sensors.kinds import SHIPPED_KINDS
from coordination.sensors.registry import SensorRegistration, register_sensor
from coordination.store.tables import Agency, ResponseUnit, Sensor

METRES_PER_DEGREE_LONGITUDE = 108_500.0  # at the demo city's latitude (about 13° N)
METRES_PER_DEGREE_LATITUDE = 111_200.0


@dataclass(frozen=True)
class DemoSensor:
    sensor_id: str
    kind: str
    unit: str
    agency: str
    east_m: float
    north_m: float
    interval_s: int
    normal: float
    """The value it reports on an ordinary day (the simulated publisher adds a little noise)."""
    name: str = ""

    @property
    def location(self) -> tuple[float, float]:
        return (CITY_CENTRE[0] + self.east_m / METRES_PER_DEGREE_LONGITUDE,
                CITY_CENTRE[1] + self.north_m / METRES_PER_DEGREE_LATITUDE)


DEMO_SENSORS = (
    *(DemoSensor(f"drain-{index + 1:02d}", "water_level", "m", "municipal-corp", -1000 + 400 * index, -600, 10, 0.15,
                 f"Storm-water drain {index + 1}, Ring Road") for index in range(6)),
    DemoSensor("rain-01", "rain_gauge", "mm/h", "ddma", -500, 300, 30, 2.0, "Rain gauge, Town Hall"),
    DemoSensor("rain-02", "rain_gauge", "mm/h", "ddma", 1500, -900, 30, 1.5, "Rain gauge, lake bund"),
    DemoSensor("feeder-01", "feeder_current", "A", "discom-south", 800, 800, 10, 240.0, "11 kV feeder F-01"),
    DemoSensor("feeder-02", "feeder_current", "A", "discom-south", -1200, 1100, 10, 190.0, "11 kV feeder F-02"),
    DemoSensor("main-01", "pipe_pressure", "kPa", "water-board", 300, -1500, 10, 320.0, "Trunk main, pumping station"),
    DemoSensor("aq-01", "air_quality", "ug/m3", "pollution-board", 0, 0, 60, 45.0, "Air quality, city centre"),
    DemoSensor("panic-01", "panic_button", "", "police-central", 200, 200, 60, 0.0, "Panic button, bus stand"),
)


def seed_demo_sensors(*, session: Session, clock: Clock) -> int:
    """Register the demo sensors not registered yet (their agencies must exist); return how many."""
    present = set(session.scalars(select(Sensor.id).where(Sensor.id.in_([item.sensor_id for item in DEMO_SENSORS]))))
    agencies = set(session.scalars(select(Agency.code)))
    added = 0
    for item in DEMO_SENSORS:
        if item.sensor_id in present or item.agency not in agencies:
            continue
        register_sensor(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_KINDS, registration=SensorRegistration(
            id=item.sensor_id, kind=item.kind, unit=item.unit, agency=item.agency, interval_s=item.interval_s,
            name=item.name, location=GeoPoint(type="Point", coordinates=item.location)))
        added += 1
    return added


TRACKED_AGENCIES = ("fire-central", "police-central", "ems-108")
"""Agencies whose first unit the demo's simulated tracker moves around its station."""


def demo_tracked_units(session: Session) -> list[tuple[str, str, float, float]]:
    """(agency code, unit code, longitude, latitude) of the first unit of each tracked agency."""
    found = []
    for code in TRACKED_AGENCIES:
        row = session.execute(select(Agency.code, ResponseUnit.code, ResponseUnit.longitude, ResponseUnit.latitude)
                              .join(Agency, Agency.id == ResponseUnit.agency_id).where(Agency.code == code)
                              .order_by(ResponseUnit.code).limit(1)).first()
        if row is not None:
            found.append(tuple(row))
    return found
