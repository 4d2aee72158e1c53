"""Benchmark: readings per second through the intake (validation, rules, storage) beside a bare
MQTT subscriber that only parses the JSON, on the same broker; and the latency from publishing the
reading that completes a flood cluster to the incident being committed.

Both arms take the same messages from the machine's Mosquitto (127.0.0.1:1883), published at QoS 1
as fast as one publisher can: SenML packs of --records readings each, so that a burst stays under
Mosquitto's queue of 1,000 messages per client (beyond it the broker itself drops what it has not
delivered yet). The engine arm runs 1, then 2 `iccc intake` processes (an MQTT 5 shared
subscription spreads the stream) and counts the readings committed in the database; the bare arm
is one paho subscriber that parses each payload with json.loads and counts its records. A second
bare arm also stores: it resolves each record's SenML base fields and inserts the readings into the
same `sensor_readings` table with SQLAlchemy Core (executemany, one commit for whatever arrived
since the last, as the intake batches), no validation and no rules: the part of the work any
store-backed consumer pays. Rates are readings / (last one taken - first published). Prints each
rate and its ratios to both bare arms (aim: >= 0.5 of the parse-only one), then p50 and p99 of
publish -> flood incident committed (its SOP started in the same transaction) over --trials
clusters of three gauges.

    .venv/bin/python bench/intake_throughput.py [--messages 900] [--records 10] [--trials 30] 2>/dev/null
    ICCC_BENCH_DATABASE_URL=postgresql+psycopg://.../scratch to measure on PostgreSQL (a scratch database:
    the benchmark migrates it and leaves its rows; default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import create_engine, func, select

from coordination import CITY_CENTRE, SYSTEM, Store, install_shipped_sops, seed_demo_agencies, upgrade
from coordination.geojson import GeoPoint
from coordination.rule_service import install_shipped_rules
from coordination.sensors import SHIPPED_KINDS, SensorRegistration, register_sensor
from coordination.store.tables import Incident, SensorReading
from web.app.clock import WallClock
from web.app.logs import configure_logging

BROKER = ("127.0.0.1", 1883)
ROOT = Path(__file__).resolve().parent.parent
GAUGES = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=900)
    parser.add_argument("--records", type=int, default=10, help="readings per SenML pack")
    parser.add_argument("--trials", type=int, default=30, help="flood clusters for the latency")
    args = parser.parse_args()
    configure_logging()
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("ICCC_BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        store = Store(url)
        upgrade(store)
        prefix = f"bench-{uuid.uuid4().hex[:10]}"
        gauges = _prepare(store, args.trials)
        readings = args.messages * args.records
        print(f"{args.messages} messages x {args.records} readings = {readings} readings, "
              f"{store.engine.dialect.name}, Mosquitto {BROKER[0]}:{BROKER[1]}")
        bare = _bare_rate(prefix, gauges, args.messages, args.records)
        print(f"bare paho subscriber (json.loads only): {bare:9.0f} readings/s")
        storing = _bare_storing_rate(url, prefix, gauges, args.messages, args.records,
                                     datetime.now(timezone.utc) - timedelta(days=3))
        print(f"bare paho subscriber storing (json.loads, Core executemany): {storing:9.0f} readings/s")
        for consumers in (1, 2):
            # Each run's readings a second apart within a day of its own, all in the past (the
            # intake refuses readings stamped ahead of its clock) and within the raw retention.
            start = datetime.now(timezone.utc) - timedelta(days=3 - consumers)
            rate = _engine_rate(url, scratch, prefix, gauges, args.messages, args.records, consumers, start)
            print(f"iccc intake x{consumers} (validation, rules, storage): {rate:9.0f} readings/s   "
                  f"ratio to bare: {rate / bare:.2f}, to bare storing: {rate / storing:.2f}")
        p50, p99 = _latency(url, scratch, prefix, args.trials)
        print(f"publish -> flood incident committed (SOP started), {args.trials} clusters: "
              f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


def _prepare(store: Store, trials: int) -> list[str]:
    """Demo agencies, the shipped SOPs and rules, GAUGES quiet gauges and three per latency trial."""
    clock = WallClock()
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
        install_shipped_rules(session=session, clock=clock, actor=SYSTEM)
        seed_demo_agencies(session=session, clock=clock, webhook_url_for={}, allowed_hosts=frozenset())
        for index in range(GAUGES):
            _gauge(session, clock, f"gauge-{index}", east_m=(index % 10) * 2000.0, north_m=(index // 10) * 2000.0)
        for trial in range(trials):
            for member in range(3):  # clusters 6 km apart: each is a flood of its own, never a duplicate
                _gauge(session, clock, f"cluster-{trial}-{member}", east_m=member * 200.0,
                       north_m=30_000 + trial * 6_000.0)
    return [f"gauge-{index}" for index in range(GAUGES)]


def _gauge(session, clock, sensor_id: str, *, east_m: float, north_m: float) -> None:
    location = (CITY_CENTRE[0] + east_m / 108_500.0, CITY_CENTRE[1] + north_m / 111_200.0)
    register_sensor(session=session, clock=clock, actor=SYSTEM, kinds=SHIPPED_KINDS, registration=SensorRegistration(
        id=sensor_id, kind="water_level", unit="m", agency="municipal-corp", interval_s=3600,
        location=GeoPoint(type="Point", coordinates=location)))


def _packs(prefix: str, gauges: list[str], messages: int, records: int, start: datetime) -> list[tuple[str, bytes]]:
    """Each message one gauge's pack of `records` readings a second apart (under every mark)."""
    packs = []
    for index in range(messages):
        gauge = gauges[index % len(gauges)]
        base = (start + timedelta(seconds=index * records)).timestamp()
        pack = [{"bn": gauge, "bu": "m", "bt": base, "v": 0.1, "t": 0}] + \
               [{"v": 0.1 + 0.001 * offset, "t": offset} for offset in range(1, records)]
        packs.append((f"{prefix}/readings/{gauge}", json.dumps(pack).encode()))
    return packs


def _publish(messages: list[tuple[str, bytes]]) -> float:
    """Publish at QoS 1; return when publishing started (monotonic)."""
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.max_inflight_messages_set(1000)
    publisher.connect(*BROKER)
    publisher.loop_start()
    started = time.monotonic()
    infos = [publisher.publish(topic, payload, qos=1) for topic, payload in messages]
    for info in infos:
        info.wait_for_publish(timeout=60)
    publisher.disconnect()
    publisher.loop_stop()
    return started


def _bare_rate(prefix: str, gauges: list[str], messages: int, records: int) -> float:
    counted = {"readings": 0, "last": 0.0}
    done = threading.Event()
    expected = messages * records

    def on_message(_client, _userdata, message) -> None:
        counted["readings"] += len(json.loads(message.payload))
        if counted["readings"] >= expected:
            counted["last"] = time.monotonic()
            done.set()

    subscriber = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    subscriber.on_message = on_message
    subscriber.connect(*BROKER)
    subscriber.subscribe(f"$share/{prefix}-bare/{prefix}/bare/readings/#", qos=1)
    subscriber.loop_start()
    time.sleep(0.5)
    started = _publish(_packs(f"{prefix}/bare", gauges, messages, records, datetime.now(timezone.utc)))
    if not done.wait(120):
        raise SystemExit(f"the bare subscriber got {counted['readings']} of {expected} readings")
    subscriber.disconnect()
    subscriber.loop_stop()
    return expected / (counted["last"] - started)


def _bare_storing_rate(url: str, prefix: str, gauges: list[str], messages: int, records: int,
                       start: datetime) -> float:
    """A paho subscriber that stores what it parses: one executemany and commit per batch."""
    engine = create_engine(url)
    table = SensorReading.__table__
    pending: list[bytes] = []
    lock, arrived, done = threading.Lock(), threading.Event(), threading.Event()
    counted = {"readings": 0, "last": 0.0}
    expected = messages * records

    def on_message(_client, _userdata, message) -> None:
        with lock:
            pending.append(message.payload)
        arrived.set()

    def store() -> None:
        while not done.is_set():
            arrived.wait(1)
            arrived.clear()
            with lock:
                batch, pending[:] = list(pending), []
            if not batch:
                continue
            now = datetime.now(timezone.utc)
            rows = []
            for payload in batch:
                pack = json.loads(payload)
                name, unit, base = pack[0]["bn"], pack[0].get("bu", ""), pack[0].get("bt", 0.0)
                for record in pack:
                    observed = datetime.fromtimestamp(base + record.get("t", 0), timezone.utc)
                    rows.append({"reading_id": f"{prefix}-{name}-{observed.timestamp()}", "sensor_id": name,
                                 "observed_at": observed, "value": record["v"], "unit": unit, "source": "bare",
                                 "received_at": now, "samples": 1, "value_min": record["v"],
                                 "value_max": record["v"]})
            with engine.begin() as connection:
                connection.execute(table.insert(), rows)
            counted["readings"] += len(rows)
            if counted["readings"] >= expected:
                counted["last"] = time.monotonic()
                done.set()

    writer = threading.Thread(target=store, daemon=True)
    writer.start()
    subscriber = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    subscriber.on_message = on_message
    subscriber.connect(*BROKER)
    subscriber.subscribe(f"$share/{prefix}-store/{prefix}/store/readings/#", qos=1)
    subscriber.loop_start()
    time.sleep(0.5)
    started = _publish(_packs(f"{prefix}/store", gauges, messages, records, start))
    if not done.wait(120):
        raise SystemExit(f"the storing subscriber stored {counted['readings']} of {expected} readings")
    subscriber.disconnect()
    subscriber.loop_stop()
    engine.dispose()
    return expected / (counted["last"] - started)


def _start_intakes(url: str, cwd: str, prefix: str, consumers: int) -> list[subprocess.Popen]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    env.update(ICCC_DATABASE_URL=url, ICCC_SECRET_KEY="bench", ICCC_MQTT_TOPICS=f"{prefix}/readings/#",
               ICCC_MQTT_SHARED_GROUP=prefix, PYTHONPATH=str(ROOT))
    processes = [subprocess.Popen([sys.executable, "-m", "processes", "intake", "--no-vehicles"], cwd=cwd, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(consumers)]
    for process in processes:  # each says when it is subscribed
        line = process.stderr.readline()
        while line and "taking" not in line:
            line = process.stderr.readline()
    time.sleep(0.5)
    return processes


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.communicate(timeout=30)


def _count(reader, table, *where) -> int:
    with reader.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where))


def _engine_rate(url: str, cwd: str, prefix: str, gauges: list[str], messages: int, records: int,
                 consumers: int, start: datetime) -> float:
    reader = create_engine(url)
    before = _count(reader, SensorReading)
    expected = before + messages * records
    processes = _start_intakes(url, cwd, prefix, consumers)
    try:
        started = _publish(_packs(prefix, gauges, messages, records, start))
        deadline = time.monotonic() + 300
        while _count(reader, SensorReading) < expected:
            if time.monotonic() > deadline:
                raise SystemExit(f"stored {_count(reader, SensorReading) - before} of {messages * records} readings")
            time.sleep(0.01)
        return messages * records / (time.monotonic() - started)
    finally:
        _stop(processes)
        reader.dispose()


def _latency(url: str, cwd: str, prefix: str, trials: int) -> tuple[float, float]:
    reader = create_engine(url)
    processes = _start_intakes(url, cwd, prefix, 1)
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.connect(*BROKER)
    publisher.loop_start()
    took = []
    try:
        for trial in range(trials):
            incidents = _count(reader, Incident)
            now = datetime.now(timezone.utc).timestamp()
            for member in range(3):
                sensor = f"cluster-{trial}-{member}"
                info = publisher.publish(f"{prefix}/readings/{sensor}",
                                         json.dumps([{"n": sensor, "u": "m", "v": 0.8, "t": now}]), qos=1)
                if member == 2:
                    published = time.monotonic()
                info.wait_for_publish(timeout=10)
            while _count(reader, Incident) == incidents:
                if time.monotonic() - published > 30:
                    raise SystemExit(f"trial {trial}: no incident declared")
                time.sleep(0.002)
            took.append(time.monotonic() - published)
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        _stop(processes)
        reader.dispose()
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]


if __name__ == "__main__":
    main()
