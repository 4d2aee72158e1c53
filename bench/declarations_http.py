"""Benchmark: incidents declared per second through the real server, beside a bare Flask app.

The engine arm runs `iccc serve` (waitress, 8 threads, the same server people run) on a fresh
database with the shipped SOPs and the demo agencies; C keep-alive clients POST building fires to
/api/v1/incidents, each starting its SOP (three agency tasks, their webhooks queued, the
timeline written). The bare arm serves a Flask + SQLAlchemy app on the same WSGI server, with the
same pragmas and connection settings on the same kind of database, that inserts one row per POST
and answers 201: the ceiling of a Python web app writing to that database. Both are driven by
the same clients for the same time; the ratio engine/bare is printed (aim: >= 0.5 on SQLite). A second
bare arm writes, in one transaction of Core inserts, as many rows per table as a declaration
does (21, the timeline hash-chained): the data's own cost, beside which the engine's is printed too.

    .venv/bin/python bench/declarations_http.py [--seconds 10] [--clients 8]
    ICCC_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test adds PostgreSQL with
    1 and 2 server processes (each arm gets a schema of its own, dropped afterwards)
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
SERVER_THREADS = 8


# --- the bare arms: one row per POST, or the rows a declaration writes, nothing else ---------------------------

SAME_ROWS = {"runs": 1, "run_events": 2, "tasks": 3, "messages": 3, "timers": 6, "timeline": 5}
"""What one building fire writes besides its incident row (counted in the engine's SQL log)."""


def bare_app(database_url: str, shape: str):
    import hashlib
    import json

    from flask import Flask, request
    from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text, event, insert, select

    metadata = MetaData()
    rows = Table("declarations", metadata, Column("id", String(36), primary_key=True), Column("body", JSON),
                 Column("declared_at", DateTime(timezone=True)))
    # The same rows as the engine writes, as plain tables: JSON bodies, and a hash-chained timeline.
    children = {name: Table(name, metadata, Column("id", String(36), primary_key=True),
                            Column("declaration_id", String(36)), Column("body", JSON))
                for name in SAME_ROWS if name != "timeline"}
    timeline = Table("timeline", metadata, Column("seq", Integer, primary_key=True, autoincrement=True),
                     Column("declaration_id", String(36)), Column("data", JSON), Column("prev_hash", String(64)),
                     Column("entry_hash", String(64)))
    engine = create_engine(database_url, connect_args={"check_same_thread": False}
                           if database_url.startswith("sqlite") else {}, pool_size=SERVER_THREADS)
    if database_url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection, _record) -> None:  # the engine's own SQLite settings
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    metadata.create_all(engine)
    app = Flask("bare")

    @app.post("/api/v1/incidents")
    def declare():
        body = request.get_json()
        row_id = str(uuid.uuid4())
        with engine.begin() as connection:
            connection.execute(insert(rows).values(id=row_id, body=body, declared_at=datetime.now(timezone.utc)))
            if shape == "same-rows":
                for name, table in children.items():
                    connection.execute(insert(table), [{"id": str(uuid.uuid4()), "declaration_id": row_id,
                                                        "body": body} for _ in range(SAME_ROWS[name])])
                head = connection.scalar(select(timeline.c.entry_hash).order_by(timeline.c.seq.desc()).limit(1))
                entries = []
                for n in range(SAME_ROWS["timeline"]):
                    prev, head = head or "0" * 64, hashlib.sha256(json.dumps([head, n, body]).encode()).hexdigest()
                    entries.append({"declaration_id": row_id, "data": body, "prev_hash": prev, "entry_hash": head})
                connection.execute(insert(timeline), entries)
        return {"id": row_id, **body}, 201

    return app


def serve_bare(database_url: str, shape: str) -> None:
    from waitress import create_server

    server = create_server(bare_app(database_url, shape), host="127.0.0.1", port=0, threads=SERVER_THREADS)
    print(f"serving on http://127.0.0.1:{server.effective_port}/", flush=True)
    server.run()


# --- servers and clients ---------------------------------------------------------------------------------------

def start(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    errors = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    line = process.stdout.readline()
    if not line.startswith("serving on "):
        process.kill()
        process.wait()
        errors.seek(0)
        raise SystemExit(f"server did not start: {' '.join(command)}\n{errors.read()[-2000:]}")
    return process, line.split("serving on ", 1)[1].strip().rstrip("/")


def building_fire(rng: random.Random) -> dict:
    # Spread over the demo city, never the same place twice (duplicate linking is all but off in this run).
    return {"type": "building_fire", "severity": "severe", "place_name": "bench block",
            "location": {"type": "Point", "coordinates": [77.55 + rng.random() * 0.09, 12.93 + rng.random() * 0.09]},
            "reporter": {"name": "bench caller", "phone": "100"}, "description": "benchmark"}


def drive(bases: list[str], token: str, *, clients: int, seconds: float) -> tuple[float, int]:
    """Declarations per second from `clients` keep-alive clients spread over the servers."""
    counts, failures = [0] * clients, [0] * clients
    stop_at = [0.0]
    headers = {"Authorization": f"Bearer {token}"}

    def client(index: int, warm_up: bool) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=bases[index % len(bases)], headers=headers, timeout=60) as http:
            while time.perf_counter() < stop_at[0]:
                response = http.post("/api/v1/incidents", json=building_fire(rng))
                if warm_up:
                    continue
                if response.status_code == 201:
                    counts[index] += 1
                else:
                    failures[index] += 1

    for warm_up, duration in ((True, 1.0), (False, seconds)):
        stop_at[0] = time.perf_counter() + duration
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i, warm_up)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(failures)


# --- the two arms on one database kind -------------------------------------------------------------------------

def engine_arm(database_url: str, folder: Path, *, processes: int, clients: int, seconds: float) -> tuple[float, int]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    env.update(ICCC_DATABASE_URL=database_url, ICCC_DUPLICATE_WINDOW_S="0.001", ICCC_SECRET_KEY="bench")
    token = prepare_engine_database(database_url)
    servers = [start([sys.executable, "-m", "processes", "serve", "--port", "0", "--no-background"],
                     cwd=folder, env=env) for _ in range(processes)]
    try:
        return drive([base for _, base in servers], token, clients=clients, seconds=seconds)
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()


def prepare_engine_database(database_url: str) -> str:
    from coordination import (
        DEMO_AGENCIES, SYSTEM, Role, Store, install_shipped_sops, issue_token, seed_demo_agencies, upgrade,
    )
    from web.app.clock import WallClock

    store = Store(database_url)
    upgrade(store)
    clock = WallClock()
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=frozenset({"127.0.0.1"}),
                           # Webhooks are queued (the server runs without its delivery jobs here).
                           webhook_url_for={demo.code: f"http://127.0.0.1:9/{demo.code}" for demo in DEMO_AGENCIES})
        token = issue_token(session=session, clock=clock, name="bench", role=Role.DUTY_OFFICER)
    store.dispose()
    return token


def bare_arm(database_url: str, folder: Path, *, shape: str, processes: int, clients: int, seconds: float
             ) -> tuple[float, int]:
    env = dict(os.environ)
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", database_url, "--shape", shape]
    servers = [start(command, cwd=folder, env=env) for _ in range(processes)]
    try:
        return drive([base for _, base in servers], "none", clients=clients, seconds=seconds)
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()


def postgres_schema(url: str, name: str) -> str:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"


def drop_schema(url: str, name: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def compare(label: str, urls, folder: Path, *, processes: int, clients: int, seconds: float) -> None:
    engine_url, one_row_url, same_rows_url = urls
    engine_rate, failed = engine_arm(engine_url, folder, processes=processes, clients=clients, seconds=seconds)
    one_row, failed_one = bare_arm(one_row_url, folder, shape="one-row", processes=processes, clients=clients,
                                   seconds=seconds)
    same_rows, failed_same = bare_arm(same_rows_url, folder, shape="same-rows", processes=processes,
                                      clients=clients, seconds=seconds)
    failures = failed + failed_one + failed_same
    print(f"{label:26s} engine {engine_rate:6.1f}/s | bare, one row {one_row:6.1f}/s: "
          f"{engine_rate / one_row:4.2f}x{' [aim >= 0.5]' if label.startswith('SQLite') else ''} | "
          f"bare, the same {1 + sum(SAME_ROWS.values())} rows {same_rows:6.1f}/s: {engine_rate / same_rows:4.2f}x"
          f"{f'  ({failures} requests not 201)' if failures else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per arm (after 1 s warm-up)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--serve-bare", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--shape", default="one-row", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, args.shape)
        return
    print(f"{args.clients} keep-alive clients, waitress with {SERVER_THREADS} threads per process, "
          f"{args.seconds:g} s per arm")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        compare("SQLite, 1 process", tuple(f"sqlite:///{folder / name}.sqlite3" for name in ("engine", "one", "same")),
                folder, processes=1, clients=args.clients, seconds=args.seconds)
        postgres = os.environ.get("ICCC_BENCH_DATABASE_URL")
        if postgres:
            for processes in (1, 2):
                names = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(3)]
                try:
                    urls = tuple(postgres_schema(postgres, name) for name in names)
                    compare(f"PostgreSQL, {processes} process{'es' if processes > 1 else ''}", urls, folder,
                            processes=processes, clients=args.clients, seconds=args.seconds)
                finally:
                    for name in names:
                        drop_schema(postgres, name)


if __name__ == "__main__":
    main()
