"""Devices for the tests: message signs and a siren east of the demo city's centre, registered
for the demo agencies, on topics under a prefix of the test's own."""

from __future__ import annotations

from coordination import CITY_CENTRE, SYSTEM
from coordination.devices import SHIPPED_DEVICE_KINDS, DeviceRegistration, register_device
from coordination.geojson import GeoPoint

METRES_PER_DEGREE = 108_500.0  # of longitude at the demo city's latitude (about 13 degrees north)


def register(store, clock, device_id: str, *, kind: str = "message_sign", east_m: float = 0.0,
             agency: str = "municipal-corp", prefix: str = "iccc/devices") -> str:
    """Register a device `east_m` metres east of the centre, on `<prefix>/<id>/command|confirm`."""
    with store.transaction() as session:
        register_device(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_DEVICE_KINDS, registration=(
            DeviceRegistration(id=device_id, kind=kind, agency=agency,
                               location=GeoPoint(type="Point", coordinates=(
                                   CITY_CENTRE[0] + east_m / METRES_PER_DEGREE, CITY_CENTRE[1])),
                               command_topic=f"{prefix}/{device_id}/command",
                               confirmation_topic=f"{prefix}/{device_id}/confirm")))
    return device_id
