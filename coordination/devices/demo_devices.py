"""The demo city's devices: message signs and drainage pumps along the Ring Road drains (where the
demo's cloudbursts flood), a barrier at its underpass, and sirens by the industrial estate, each
owned by its demo agency and commanded on topics of the running demo's own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.clock import Clock
from coordination.demo_city import CITY_CENTRE
from coordination.devices.kinds import SHIPPED_DEVICE_KINDS
from coordination.devices.registry import DeviceRegistration, register_device
from coordination.geojson import GeoPoint
from coordination.principals import SYSTEM
from coordination.sensors.demo_sensors import METRES_PER_DEGREE_LATITUDE, METRES_PER_DEGREE_LONGITUDE
from coordination.store.tables import Agency, Device


@dataclass(frozen=True)
class DemoDevice:
    device_id: str
    kind: str
    agency: str
    east_m: float
    north_m: float
    name: str

    @property
    def location(self) -> tuple[float, float]:
        return (CITY_CENTRE[0] + self.east_m / METRES_PER_DEGREE_LONGITUDE,
                CITY_CENTRE[1] + self.north_m / METRES_PER_DEGREE_LATITUDE)


DEMO_DEVICES = (
    DemoDevice("vms-ring-west", "message_sign", "traffic-police", -1300, -450, "Message sign, Ring Road west"),
    DemoDevice("vms-ring-east", "message_sign", "traffic-police", 1300, -450, "Message sign, Ring Road east"),
    DemoDevice("vms-town-hall", "message_sign", "traffic-police", -300, 600, "Message sign, Town Hall junction"),
    DemoDevice("pump-ring-1", "drainage_pump", "municipal-corp", -600, -700, "Drainage pump, Ring Road drain 2"),
    DemoDevice("pump-ring-2", "drainage_pump", "municipal-corp", 600, -700, "Drainage pump, Ring Road drain 5"),
    DemoDevice("barrier-underpass", "barrier", "traffic-police", 0, -650, "Barrier, Ring Road underpass"),
    DemoDevice("siren-industrial", "siren", "ddma", 2200, 1600, "Siren, industrial estate"),
)


def demo_device_topics(topic_base: str, device_id: str) -> tuple[str, str]:
    """(command topic, confirmation topic) of a demo device under the running demo's topics."""
    return f"{topic_base}/devices/{device_id}/command", f"{topic_base}/devices/{device_id}/confirm"


def seed_demo_devices(*, session: Session, clock: Clock, topic_base: str) -> int:
    """Register the demo devices (their agencies must exist), or move the registered ones to this
    run's topics; return how many were registered or changed."""
    present = {device.id: device for device in
               session.scalars(select(Device).where(Device.id.in_([item.device_id for item in DEMO_DEVICES])))}
    agencies = set(session.scalars(select(Agency.code)))
    changed = 0
    for item in DEMO_DEVICES:
        command_topic, confirmation_topic = demo_device_topics(topic_base, item.device_id)
        known = present.get(item.device_id)
        if item.agency not in agencies or (known is not None and known.command_topic == command_topic):
            continue
        register_device(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_DEVICE_KINDS, replace=True,
                        registration=DeviceRegistration(
                            id=item.device_id, kind=item.kind, agency=item.agency, name=item.name,
                            location=GeoPoint(type="Point", coordinates=item.location),
                            command_topic=command_topic, confirmation_topic=confirmation_topic))
        changed += 1
    return changed
