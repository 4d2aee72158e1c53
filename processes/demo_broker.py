"""The demo's MQTT broker: the machine's own (127.0.0.1:1883, Mosquitto) when one answers, else an
embedded amqtt broker (pinned in pyproject.toml) started on a free loopback port, so that
`./dev demo` shows the sensor layer on a fresh machine too. amqtt speaks MQTT 3.1.1 only: the
demo's consumer then subscribes plainly (one consumer needs no shared subscription)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass, replace

from coordination.intake import BrokerSettings

LOCAL_BROKER = ("127.0.0.1", 1883)


@dataclass
class DemoBroker:
    settings: BrokerSettings
    embedded: bool
    _loop: asyncio.AbstractEventLoop | None = None
    _broker: object | None = None

    @property
    def described(self) -> str:
        where = f"{self.settings.host}:{self.settings.port}"
        return f"an embedded amqtt broker on {where} (no broker answered on 1883)" if self.embedded \
            else f"the local broker on {where}"

    def stop(self) -> None:
        if self._loop is not None and self._broker is not None:
            asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def demo_broker(configured: BrokerSettings) -> DemoBroker:
    """The configured broker if it answers (by default the local one), else an embedded one."""
    if answers(configured.host, configured.port):
        return DemoBroker(settings=configured, embedded=False)
    port = _free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict[str, object] = {}

    def run() -> None:
        # Imported here: only a demo with no broker on the machine loads amqtt.
        from amqtt.broker import Broker

        asyncio.set_event_loop(loop)
        logging.getLogger("amqtt").setLevel(logging.WARNING)
        broker = Broker({"listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
                         "auth": {"allow-anonymous": True}, "topic-check": {"enabled": False}}, loop=loop)
        loop.run_until_complete(broker.start())
        holder["broker"] = broker
        started.set()
        loop.run_forever()

    threading.Thread(target=run, name="demo-broker", daemon=True).start()
    if not started.wait(15):
        raise RuntimeError("the embedded MQTT broker did not start")
    settings = replace(configured, host="127.0.0.1", port=port, protocol=4, shared_group="", client_id="",
                       username="", password="", tls=False)
    return DemoBroker(settings=settings, embedded=True, _loop=loop, _broker=holder["broker"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
