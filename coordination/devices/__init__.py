"""The city's devices commanded: the registry, importing it from GeoJSON, choosing the devices a
command goes to, and the commands (queued in the outbox, answered by the device before a
deadline). The edges sit above the SOP runs they feed: `device_publisher` sends the queued
commands, `device_confirmations` takes the devices' answers."""

from coordination.devices.commands import (
    OVERDUE_SHOWN_FOR,
    command_json,
    issue_commands,
    mark_overdue,
    overdue_commands,
    record_answer,
)
from coordination.devices.device_import import (
    DeviceImportRejected,
    DeviceImportResult,
    import_devices,
    parse_device_collection,
)
from coordination.devices.incident_commands import (
    DeviceCommandRequest,
    command_devices_for_incident,
)
from coordination.devices.kinds import SHIPPED_DEVICE_KINDS, parse_device_kinds
from coordination.devices.registry import (
    DeviceRegistration,
    device_json,
    devices_visible_to,
    register_device,
    visible_device,
)
from coordination.devices.selection import devices_for_command

__all__ = [
    "OVERDUE_SHOWN_FOR", "SHIPPED_DEVICE_KINDS", "DeviceCommandRequest", "DeviceImportRejected", "DeviceImportResult",
    "DeviceRegistration", "command_devices_for_incident", "command_json", "device_json", "devices_for_command",
    "devices_visible_to", "import_devices", "issue_commands", "mark_overdue", "overdue_commands",
    "parse_device_collection", "parse_device_kinds", "record_answer", "register_device", "visible_device",
]
