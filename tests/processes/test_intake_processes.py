"""`iccc intake` processes on the machine's real Mosquitto: two share one stream through an MQTT 5
shared subscription (each takes a part, together all of it, nothing twice), and a consumer killed
with SIGKILL mid-stream loses no reading the broker delivered: restarted with its client id, it
gets back what it had not acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select

from coordination.store.tables import SensorReading
from tests.broker import broker  # noqa: F401 - a fixture
from tests.coordination.intake.gauges import register_drains
from tests.coordination.rule_service.conftest import shipped_rules  # noqa: F401 - a fixture

pytestmark = [pytest.mark.database, pytest.mark.slow]


def start_intake(url: str, cwd, broker, client_id: str = "") -> subprocess.Popen:  # noqa: F811
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    env.update(ICCC_DATABASE_URL=url, ICCC_SECRET_KEY="intake-test", **broker.environment(client_id))
    return subprocess.Popen([sys.executable, "-m", "processes", "intake", "--no-vehicles"], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stored(url: str) -> int:
    reader = create_engine(url)  # a plain read never waits for the consumers' writes
    try:
        with reader.connect() as connection:
            return connection.scalar(select(func.count()).select_from(SensorReading))
    finally:
        reader.dispose()


def wait_until(condition, *, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def wait_subscribed(process: subprocess.Popen) -> None:
    """Until the process says it is taking its topics (it prints that once subscribed)."""
    line = process.stderr.readline()
    while line and "taking" not in line:
        line = process.stderr.readline()
    assert "taking" in line, "the intake did not start"
    time.sleep(0.3)  # the SUBACK


def readings(broker, sensor_id: str, count: int) -> list[tuple[str, bytes]]:  # noqa: F811
    start = datetime.now(timezone.utc) - timedelta(minutes=30)
    return [(broker.readings_topic(sensor_id),
             json.dumps([{"n": sensor_id, "u": "m", "v": 0.1, "t": (start + timedelta(milliseconds=index)).timestamp()}])
             .encode()) for index in range(count)]


def test_two_intake_processes_share_one_stream(store, clock, shipped_rules, broker, tmp_path):  # noqa: F811
    register_drains(store, clock, 1)
    url = store.url.render_as_string(hide_password=False)
    consumers = [start_intake(url, tmp_path, broker) for _ in range(2)]
    try:
        for process in consumers:
            wait_subscribed(process)
        broker.publish(readings(broker, "drain-1", 400))
        wait_until(lambda: stored(url) == 400, timeout_s=120, what="every reading to be stored")
    finally:
        for process in consumers:
            process.send_signal(signal.SIGTERM)
    taken = []
    for process in consumers:
        _out, err = process.communicate(timeout=30)
        taken.append(int(err.rsplit("stopped: ", 1)[1].split(" messages")[0]))
    assert sum(taken) == 400 and min(taken) > 0, taken


def test_an_intake_killed_mid_stream_loses_no_reading(store, clock, shipped_rules, broker, tmp_path):  # noqa: F811
    register_drains(store, clock, 1)
    url = store.url.render_as_string(hide_password=False)
    client_id = f"crash-{uuid.uuid4().hex[:8]}"
    first = start_intake(url, tmp_path, broker, client_id)
    processes = [first]
    try:
        wait_subscribed(first)
        # Fewer than Mosquitto queues for one client (max_queued_messages, 1000 by default): beyond
        # it the broker itself drops what it has not delivered yet.
        broker.publish(readings(broker, "drain-1", 900))
        wait_until(lambda: stored(url) >= 100, timeout_s=60, what="the consumer to start storing")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = stored(url)
        assert at_kill < 900, "the kill came after all the work: nothing was tested"
        processes.append(start_intake(url, tmp_path, broker, client_id))  # the restart, same session
        wait_until(lambda: stored(url) == 900, timeout_s=180, what="every reading to be stored")
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.communicate(timeout=30)
