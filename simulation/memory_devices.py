"""The drill city's devices and the commands sent to them, in memory: what the device registry
and its commands are in a live centre, for the runtime world's SOP host port.

Devices are chosen as the registry chooses them (`coordination.devices`): those a command names
(of its kind, when it gives one), or every device of its kind within `within_m` of the incident,
nearest first, ties by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coordination.routing import haversine_m
from simulation.scenario_devices import Device
from simulation.world_protocol import CommandRow, NewCommand
from sop_engine import CommandDevices


@dataclass(slots=True)
class SentCommand:
    key: str
    incident: int
    run: str
    step_id: str
    device_id: str
    device_kind: str
    action: str
    sent_at: datetime
    due_at: datetime
    status: str = "sent"
    answered_at: datetime | None = None


class MemoryDevices:
    """The scenario's devices, and every command sent to them (keyed `command-N` in the order sent)."""

    def __init__(self, devices: list[Device]):
        self.devices = list(devices)
        self.commands: dict[str, SentCommand] = {}

    def chosen_for(self, command: CommandDevices, *, lon: float, lat: float) -> list[Device]:
        """The devices a command goes to, nearest the incident at (`lon`, `lat`) first."""
        if command.device_ids:
            chosen = [device for device in self.devices if device.id in command.device_ids
                      and (command.device_kind is None or device.kind == command.device_kind)]
        else:
            chosen = [device for device in self.devices if device.kind == command.device_kind]
        scored = sorted((haversine_m(lon, lat, *device.at), device.id, device) for device in chosen)
        if command.within_m is not None and not command.device_ids:
            scored = [item for item in scored if item[0] <= command.within_m]
        return [device for _distance, _id, device in scored]

    def send(self, command: CommandDevices, *, incident: int, lon: float, lat: float, run: str,
             now: datetime) -> list[NewCommand]:
        """Send `command` to each device it finds; return what the engine hears of each (none: no device)."""
        sent = []
        for device in self.chosen_for(command, lon=lon, lat=lat):
            key = f"command-{len(self.commands) + 1}"
            self.commands[key] = SentCommand(key, incident, run, command.step_id, device.id, device.kind,
                                             command.action, now, command.due_at)
            sent.append(NewCommand(key, incident, command.step_id, device.id, device.kind))
        return sent

    def answer(self, key: str, *, confirmed: bool, now: datetime) -> SentCommand | None:
        """Record a device's answer; None when the command is unknown or answered already."""
        command = self.commands.get(key)
        if command is None or command.status != "sent":
            return None
        command.status, command.answered_at = ("confirmed" if confirmed else "failed"), now
        return command

    def rows(self) -> list[CommandRow]:
        return [CommandRow(c.incident, c.step_id, c.device_id, c.device_kind, c.action, c.sent_at, c.due_at,
                           c.answered_at, c.status, True) for c in self.commands.values()]
