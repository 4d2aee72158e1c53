"""The city's sensors: their kinds, the registry, and importing them from GeoJSON."""

from coordination.sensors.kinds import BOOLEAN_UNIT, SHIPPED_KINDS, SensorKind, ValueRange, parse_extra_kinds
from coordination.sensors.registry import (
    SensorRegistration,
    register_sensor,
    sensor_json,
    sensors_visible_to,
    visible_sensor,
)
from coordination.sensors.sensor_import import (
    SensorImportRejected,
    SensorImportResult,
    import_sensors,
    parse_sensor_collection,
)

__all__ = [
    "BOOLEAN_UNIT", "SHIPPED_KINDS", "SensorImportRejected", "SensorImportResult", "SensorKind", "SensorRegistration",
    "ValueRange", "import_sensors", "parse_extra_kinds", "parse_sensor_collection", "register_sensor", "sensor_json",
    "sensors_visible_to", "visible_sensor",
]
