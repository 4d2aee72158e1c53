"""The demo: agencies that answer their tasks, and a stream of incidents, all on 127.0.0.1.

Each demo agency gets a webhook receiver that verifies the Standard Webhooks signature with
the reference library, drops duplicates by `webhook-id`, then acknowledges and completes the
task through the API after a short delay, as a real agency's integration would. One task in
six is acknowledged late, so escalations show on the board.
"""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from coordination import SYSTEM, Clock, Role
from coordination.demo_city import DEMO_LANDMARKS
from coordination.store.tables import User
from coordination.users import NewUser, create_user, password_matches, set_password

log = structlog.get_logger(__name__)

DEMO_INCIDENTS = (
    ("building_fire", "severe", "Smoke from the third floor of a commercial complex", {"people_trapped": 2}),
    ("gas_leak", "moderate", "Smell of gas near a market; PNG line suspected", {}),
    ("road_accident", "severe", "Bus and two cars collided at a junction; injured on the road", {"casualties": 6}),
    ("flood", "severe", "Underpass flooded after a cloudburst; vehicles stranded", {"people_affected": 1200}),
    ("power_outage", "moderate", "Feeder trip: three wards without supply", {}),
    ("tree_fall", "moderate", "Rain tree fell across the ring road; a line is down", {}),
    ("water_main_burst", "severe", "600 mm main burst; road caving in", {}),
    ("crowd_surge", "severe", "Surge at the temple festival gate", {"mass_gathering": True, "casualties": 3}),
    ("chemical_accident", "severe", "Chlorine cylinder leaking at a water treatment plant",
     {"hazardous_material": True}),
)
"""What the demo declares in turn: type, severity, description and the details SOPs read."""

DEMO_NEEDS = {
    "building_fire": {"fire_engine": 2, "ladder": 1, "ambulance": 1},
    "gas_leak": {"gas_crew": 1, "fire_engine": 1},
    "road_accident": {"ambulance": 2, "police_patrol": 1, "tow_truck": 1},
    "flood": {"rescue_boat": 2, "pump": 1, "ambulance": 1},
    "power_outage": {"electricity_crew": 1},
    "tree_fall": {"tree_cutting_crew": 1, "electricity_crew": 1},
    "water_main_burst": {"water_crew": 1, "water_tanker": 1},
    "crowd_surge": {"police_patrol": 2, "ambulance": 2},
    "chemical_accident": {"hazmat_unit": 1, "fire_engine": 1, "als_ambulance": 1},
}
"""The units the demo duty officer asks for, per demo incident type."""


@dataclass
class DemoAgencyClient:
    code: str
    secret: str
    token: str


@dataclass
class DemoAgencies:
    """The receivers of every demo agency, on one loopback HTTP server."""

    api_base: str
    agencies: dict[str, DemoAgencyClient]
    ack_delay_s: float = 4.0
    work_delay_s: float = 8.0
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    _seen: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0) -> int:
        demo = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                code = self.path.rstrip("/").rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                self.send_response(demo.receive(code, body, dict(self.headers.items())))
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, name="demo-receivers", daemon=True).start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            # Close the port too: a deliverer connecting to a port that still listens but is no
            # longer served waits out its whole timeout (10 s), and stopping the demo waited for it.
            self._server.server_close()

    def receive(self, code: str, body: bytes, headers: dict[str, str]) -> int:
        agency = self.agencies.get(code)
        if agency is None:
            return 404
        try:
            payload = Webhook(agency.secret).verify(body, headers)
        except WebhookVerificationError:
            log.warning("demo.bad_signature", agency=code)
            return 401
        with self._lock:
            webhook_id = headers.get("webhook-id") or headers.get("Webhook-Id", "")
            if webhook_id in self._seen:
                return 204
            self._seen.add(webhook_id)
        if payload.get("type") == "task.created":
            task_id = payload["data"]["task"]["id"]
            late = self.rng.random() < 1 / 6
            ack_after = self.ack_delay_s * (25 if late else 1) * self.rng.uniform(0.5, 1.5)
            unit_id = payload["data"].get("dispatch", {}).get("unit_id")
            threading.Timer(ack_after, self._work, args=(agency, task_id, unit_id)).start()
        return 204

    def _work(self, agency: DemoAgencyClient, task_id: str, unit_id: str | None = None) -> None:
        """Answer a task; for a dispatch order, also report the unit's way there and back."""
        headers = {"Authorization": f"Bearer {agency.token}"}

        def unit_status(client: httpx.Client, *statuses: str) -> None:
            for status in statuses if unit_id else ():
                client.post(f"/api/v1/units/{unit_id}/status", json={"status": status})

        try:
            with httpx.Client(base_url=self.api_base, headers=headers, timeout=10, trust_env=False) as client:
                client.post(f"/api/v1/tasks/{task_id}/acknowledge")
                unit_status(client, "en_route")
                threading.Event().wait(self.work_delay_s * self.rng.uniform(0.5, 1.5))
                unit_status(client, "on_scene")
                client.post(f"/api/v1/tasks/{task_id}/progress", json={"note": "crew on site", "percent": 50})
                threading.Event().wait(self.work_delay_s * self.rng.uniform(0.5, 1.5))
                client.post(f"/api/v1/tasks/{task_id}/complete", json={"note": "done"})
                unit_status(client, "returning", "available")
        except httpx.HTTPError as error:
            log.warning("demo.answer_failed", agency=agency.code, error=type(error).__name__)


class DemoDutyOfficer:
    """Answers the SOPs' questions through the API, as the duty officer on shift would: each
    decision takes its first option and each public notice is approved, `delay_s` after it
    first appears. Every fifth is left for twice as long, so decision escalations show."""

    def __init__(self, *, api_base: str, token: str, delay_s: float, rng: random.Random):
        self._api_base = api_base
        self._token = token
        self._delay_s = delay_s
        self._rng = rng
        self._first_seen: dict[str, float] = {}
        self._patience: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-duty-officer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def answer_due(self, client: httpx.Client, now: float) -> int:
        """Answer every open decision that has waited long enough; return how many."""
        listed = client.get("/api/v1/decisions", params={"status": "open", "limit": 200})
        if listed.status_code != 200:
            return 0
        answered = 0
        for decision in listed.json()["items"]:
            first_seen = self._first_seen.setdefault(decision["id"], now)
            patience = self._patience.setdefault(
                decision["id"], self._delay_s * (2 if self._rng.random() < 0.2 else 1) * self._rng.uniform(0.5, 1.5)
            )
            if now - first_seen < patience:
                continue
            choice = "approve" if decision["kind"] == "public_notice" else decision["options"][0]
            reply = client.post(f"/api/v1/decisions/{decision['id']}/answer", json={"choice": choice})
            log.info("demo.decision_answered", step=decision["step_id"], choice=choice, status=reply.status_code)
            answered += 1
        return answered

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        with httpx.Client(base_url=self._api_base, headers=headers, timeout=10, trust_env=False) as client:
            clock = 0.0
            while not self._stop.is_set():
                try:
                    self.answer_due(client, clock)
                except httpx.HTTPError as error:
                    log.warning("demo.decision_failed", error=type(error).__name__)
                self._stop.wait(1.0)
                clock += 1.0


class IncidentStream:
    """Declares a demo incident every `interval_s` seconds through the API, as a duty officer."""

    def __init__(self, *, api_base: str, token: str, interval_s: float, rng: random.Random):
        self._api_base = api_base
        self._token = token
        self._interval_s = interval_s
        self._rng = rng
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-incidents", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def declare_one(self, client: httpx.Client, number: int) -> None:
        incident_type, severity, description, details = DEMO_INCIDENTS[number % len(DEMO_INCIDENTS)]
        # Near one of the city's landmarks (within about 300 m), named as a caller would.
        landmark, landmark_lon, landmark_lat = self._rng.choice(DEMO_LANDMARKS)
        longitude = landmark_lon + self._rng.uniform(-0.003, 0.003)
        latitude = landmark_lat + self._rng.uniform(-0.003, 0.003)
        response = client.post("/api/v1/incidents", json={
            "type": incident_type, "severity": severity, "description": description, "place_name": f"near {landmark}",
            "location": {"type": "Point", "coordinates": [round(longitude, 5), round(latitude, 5)]},
            "reporter": {"name": "Demo caller", "phone": "+91 00000 00000"}, "is_exercise": True,
            "details": details,
        })
        log.info("demo.incident_declared", type=incident_type, status=response.status_code)
        needs = DEMO_NEEDS.get(incident_type)
        if response.status_code != 201 or needs is None:
            return
        # The duty officer asks for the units this kind of incident needs and accepts the plan.
        asked = client.post("/api/v1/dispatch/recommendations", json={
            "incident_id": response.json()["id"], "needs": needs})
        if asked.status_code == 201:
            accepted = client.post(f"/api/v1/dispatch/recommendations/{asked.json()['id']}/accept")
            log.info("demo.dispatch_accepted", status=accepted.status_code,
                     units=len(accepted.json().get("dispatched", [])) if accepted.status_code == 200 else 0)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}"}
        with httpx.Client(base_url=self._api_base, headers=headers, timeout=10, trust_env=False) as client:
            number = 0
            while not self._stop.is_set():
                try:
                    self.declare_one(client, number)
                except httpx.HTTPError as error:
                    log.warning("demo.declare_failed", error=type(error).__name__)
                number += 1
                self._stop.wait(self._interval_s)


DEMO_USERNAME = "duty-officer"
"""The demo's duty officer account: the board, incidents, the map."""

DEMO_ADMINISTRATOR = "administrator"
"""The demo's administrator account: agencies, units, users and SOPs on the console."""

DEMO_PLANNER = "planner"
"""The demo's planner account: drills and KPIs on the console."""


def demo_account(*, session: Session, clock: Clock, username: str, role: Role, display_name: str,
                 kept_password: str | None = None) -> str:
    """Create a demo console account, or keep its password; return the password (kept only in
    the credentials file).

    A restarted demo keeps the password it wrote down last time (`kept_password`) as long as it
    is still the account's, so a person who signed in keeps their notes and their browser's saved
    password; with no such password (a first run, a rotation, or a password changed since) the
    account gets a new one.
    """
    if session.scalar(select(User.id).where(User.username == username)) is None:
        password = secrets.token_urlsafe(12)
        create_user(session=session, clock=clock, actor=SYSTEM, new_user=NewUser(
            username=username, display_name=display_name, role=role, password=password))
        return password
    if kept_password and password_matches(session=session, username=username, password=kept_password):
        return kept_password
    password = secrets.token_urlsafe(12)
    set_password(session=session, clock=clock, username=username, password=password, actor=SYSTEM)
    return password


def read_credentials(path) -> dict[str, str]:
    """The console passwords a previous demo wrote to `path`, by username ({} when none)."""
    try:
        text = path.read_text()
    except OSError:
        return {}
    passwords: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("console password: "):
            passwords[DEMO_USERNAME] = line.removeprefix("console password: ").strip()
        elif line.startswith("console user ") and ": password " in line:
            name, _, secret = line.removeprefix("console user ").partition(": password ")
            passwords[name.strip()] = secret.strip()
    return passwords


def write_credentials(path, *, url: str, duty_officer_token: str, agencies: dict[str, DemoAgencyClient],
                      username: str, password: str, other_accounts: dict[str, str] | None = None) -> None:
    """Keep the demo's credentials in a file only this user can read (they are never logged)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"console: {url}", f"console user: {username}", f"console password: {password}"]
    lines += [f"console user {name}: password {secret}" for name, secret in sorted((other_accounts or {}).items())]
    lines += [f"duty officer token: {duty_officer_token}", ""]
    lines += [f"agency {code} token: {agency.token}" for code, agency in sorted(agencies.items())]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
