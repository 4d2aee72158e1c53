"""`iccc intake`: the MQTT consumer of the city's readings (and vehicle positions, and the
devices' answers to commands).

Run one or several (MQTT 5 shared subscription: the broker spreads the stream over them), beside
`iccc serve`, which runs the stale-sensor tick and the readings' retention. Each acknowledges a
message only after its batch is committed, so a consumer killed at any instant loses nothing the
broker delivered; give each a fixed ICCC_MQTT_CLIENT_ID so the broker keeps its unacknowledged
messages while it restarts.
"""

from __future__ import annotations

import signal
import threading

import click
from prometheus_client import start_http_server

from coordination import Store, is_current
from coordination.device_confirmations import DeviceConfirmations
from coordination.intake import Intake
from coordination.intake.mqtt_door import MqttDoor
from coordination.vehicle_stream import VehicleStream
from web.app.clock import WallClock
from web.app.config import Settings


@click.command()
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              help="Serve this process's Prometheus metrics (readings taken and refused) on this port.")
@click.option("--exit-after", type=click.FloatRange(min=0.1), default=None, help="Stop after this many seconds.")
@click.option("--no-vehicles", is_flag=True, help="Take readings only, not unit positions and statuses.")
def intake(metrics_port: int | None, exit_after: float | None, no_vehicles: bool) -> None:
    """Take readings, vehicle positions and devices' answers from the MQTT broker (ICCC_MQTT_*)
    until stopped (SIGINT or SIGTERM)."""
    settings = Settings.from_environment()
    store = Store(settings.database_url)
    if not is_current(store):
        raise click.ClickException("the database schema is not current: run `iccc db upgrade` first")
    clock = WallClock()
    path = Intake(store=store, clock=clock, kinds=settings.sensor_kinds, retention=settings.retention,
                  duplicates=settings.duplicates)
    vehicles = None if no_vehicles else VehicleStream(store=store, clock=clock).take
    door = MqttDoor(broker=settings.broker, intake=path, vehicles=vehicles,
                    device_answers=DeviceConfirmations(store=store, clock=clock).take)
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1")
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    broker = settings.broker
    try:
        door.connect()
    except OSError as error:
        raise click.ClickException(f"cannot reach the MQTT broker at {broker.host}:{broker.port} ({error}); "
                                   "set ICCC_MQTT_HOST and ICCC_MQTT_PORT") from None
    if not door.wait_connected(15):
        door.close()
        raise click.ClickException(f"the MQTT broker at {broker.host}:{broker.port} did not accept the connection "
                                   "(see the log for its reason)")
    click.echo(f"intake {door.client_id} taking {', '.join(broker.subscriptions)} from {broker.host}:{broker.port}",
               err=True)
    if exit_after is not None:
        threading.Timer(exit_after, stop.set).start()
    door.run(stop)
    click.echo(f"intake {door.client_id} stopped: {door.counts.messages} messages in {door.counts.batches} batches",
               err=True)
    store.dispose()

