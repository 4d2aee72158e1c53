"""Benchmark: signed webhook deliveries per second beside a bare HTTP client (the ceiling).

A loopback receiver runs in its own process (HTTP/1.1 keep-alive, answers 204). The engine's arm
queues N outbox messages and runs the delivery worker until every one is delivered: claim with a
lease, Standard Webhooks signature, POST through the pooled client on W threads, every attempt
recorded in the database. The bare arm posts the same bodies with one pooled httpx client on the
same W threads, nothing else. Prints both rates and their ratio (aim: >= 0.5).

    .venv/bin/python bench/delivery_throughput.py [--messages 2000] [--workers 8] [--batch 200] 2>/dev/null
    ICCC_BENCH_DATABASE_URL=postgresql+psycopg://.../scratch to measure on PostgreSQL (a scratch database: the
    benchmark migrates it and leaves its rows; default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from coordination import SYSTEM, AgencyRegistration, HttpSender, Store, deliver_due_messages, register_agency, upgrade
from coordination.store.tables import WebhookMessage
from coordination.webhooks.outbox import new_message_id
from web.app.clock import WallClock
from web.app.logs import configure_logging

LOOPBACK = frozenset({"127.0.0.1"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def _serve(port_queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _body(index: int) -> str:
    """A body the size of a real task webhook (about 1.2 kB)."""
    return json.dumps({"type": "task.created", "timestamp": "2026-07-01T09:00:00+00:00", "data": {
        "task": {"id": str(uuid.UUID(int=index)), "step_id": "fire_response", "role": "fire",
                 "instruction": "Send two engines and a ladder; attack the fire from the stairwell " * 5},
        "incident": {"id": str(uuid.UUID(int=index + 1)), "type": "building_fire", "severity": "severe",
                     "location": {"type": "Point", "coordinates": [77.5946, 12.9716]},
                     "description": "Smoke from the third floor of a five-storey building " * 4}}},
        separators=(",", ":"))


def engine_rate(store: Store, url: str, bodies: list[str], workers: int, batch: int) -> float:
    clock = WallClock()
    with store.transaction() as session:
        agency = register_agency(session=session, clock=clock, allowed_hosts=LOOPBACK, actor=SYSTEM,
                                 registration=AgencyRegistration(code=f"fire-{uuid.uuid4().hex[:8]}", name="Fire",
                                                                 kind="fire", webhook_url=url)).agency
        now = clock.now()
        session.add_all(WebhookMessage(id=new_message_id(), agency_id=agency.id, event_type="task.created", body=body,
                                       created_at=now, next_attempt_at=now) for body in bodies)
    sender, rng = HttpSender(), random.Random(1)
    delivered = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while delivered < len(bodies):
            result = deliver_due_messages(store=store, clock=clock, sender=sender, rng=rng, allowed_hosts=LOOPBACK,
                                          batch_size=batch, executor=pool)
            if result.attempted == 0:
                raise SystemExit("delivery stalled: the receiver refused messages")
            delivered += result.delivered
    elapsed = time.perf_counter() - started
    sender.close()
    return len(bodies) / elapsed


def bare_rate(url: str, bodies: list[str], workers: int) -> float:
    client = httpx.Client(trust_env=False, limits=httpx.Limits(max_connections=workers,
                                                                max_keepalive_connections=workers))
    headers = {"content-type": "application/json"}

    def post(body: str) -> None:
        response = client.post(url, content=body.encode("utf-8"), headers=headers)
        assert response.status_code == 204

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(post, bodies))
    elapsed = time.perf_counter() - started
    client.close()
    return len(bodies) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="Alternate the arms this often; report the best of each.")
    args = parser.parse_args()
    configure_logging()  # as the server logs: a JSON line per attempt (send stderr elsewhere to hide it)
    ports = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{ports.get(timeout=10)}/hooks"
    bodies = [_body(index) for index in range(args.messages)]
    with tempfile.TemporaryDirectory() as directory:
        store = Store(os.environ.get("ICCC_BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite3")
        upgrade(store)
        bare_rate(url, bodies[:200], args.workers)  # warm both sides up
        # The machine is shared: alternate the arms and keep each one's best round.
        bare = engine = 0.0
        for _ in range(args.rounds):
            bare = max(bare, bare_rate(url, bodies, args.workers))
            engine = max(engine, engine_rate(store, url, bodies, args.workers, args.batch))
        store.dispose()
    receiver.terminate()
    print(f"database: {store.url.get_backend_name()}; messages: {args.messages}; workers: {args.workers}; "
          f"batch: {args.batch}")
    print(f"bare httpx client (ceiling): {bare:8.0f} posts/s")
    print(f"signed, recorded deliveries: {engine:8.0f} deliveries/s")
    print(f"ratio: {engine / bare:.2f} (aim >= 0.5)")


if __name__ == "__main__":
    main()
