"""Settings from the environment, read once when the app is built."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from coordination import InvalidInput, parse_allowed_hosts
from coordination.cap import CapPlaces, CapTrust, load_cap_trust, load_geocodes, load_territory
from coordination.devices.kinds import SHIPPED_DEVICE_KINDS, parse_device_kinds
from coordination.duplicates import DuplicatePolicy
from coordination.intake.settings import DEFAULT_TOPICS, SHARED_GROUP, BrokerSettings, ReadingRetention
from coordination.landmarks import Landmark, load_landmarks
from coordination.public_feed import PublicationPolicy, parse_delays
from coordination.sensors.kinds import SHIPPED_KINDS, SensorKind, parse_extra_kinds
from coordination.store.urls import database_url_problem

DEFAULT_DATA_DIR = Path("iccc-data")
MAX_REQUEST_BYTES = 1024 * 1024  # an incident report or a CAP alert is kilobytes; a megabyte is abuse


@dataclass(frozen=True)
class Settings:
    database_url: str
    allowed_webhook_hosts: frozenset[str]
    secret_key: str
    run_background_jobs: bool = True
    tick_interval_s: float = 1.0
    road_network: str = "demo"
    """Dispatch road network: `demo` (the generated demo-city grid) or an OSMnx GraphML file."""
    secure_cookies: bool = True
    """Mark the console's session cookie Secure (ICCC_SECURE_COOKIES=false only for plain-http
    set-ups reached by another name than localhost, e.g. a lab behind no TLS)."""

    # Duplicate reports, the public feed, CAP alerts out, concurrent webhook delivery.
    duplicates: DuplicatePolicy = DuplicatePolicy()
    publication: PublicationPolicy = PublicationPolicy()
    cap_sender: str = "iccc@city.example"
    cap_sender_name: str = "City Integrated Command and Control Centre"
    cap_mapping_path: Path | None = None
    cap_trust: CapTrust = CapTrust()
    """The certificates that sign each CAP sender's alerts (ICCC_CAP_TRUST_FILE), read at start-up,
    and whether unanchored senders are refused (ICCC_CAP_REQUIRE_SIGNATURE)."""
    cap_places: CapPlaces = CapPlaces()
    """The centre's territory (ICCC_TERRITORY, else its jurisdictions) and the CAP geocodes it can
    place (ICCC_CAP_GEOCODES), read at start-up."""
    cap_feeds: tuple[str, ...] = ()
    """Atom or RSS indexes of CAP alerts the server's background jobs follow (ICCC_CAP_FEEDS)."""
    cap_feed_interval_s: float = 60.0
    delivery_workers: int = 8
    landmarks: tuple[Landmark, ...] = ()
    """The city's own landmarks for the map's place look-up (ICCC_LANDMARKS, GeoJSON), read at start-up."""
    # City data in: the kinds of sensor, the broker the intake subscribes on, readings kept.
    sensor_kinds: dict[str, SensorKind] = field(default_factory=lambda: dict(SHIPPED_KINDS))
    broker: BrokerSettings = BrokerSettings()
    retention: ReadingRetention = ReadingRetention()
    device_kinds: frozenset[str] = SHIPPED_DEVICE_KINDS

    @classmethod
    def from_environment(cls, *, data_dir: Path = DEFAULT_DATA_DIR, **overrides) -> Settings:
        """Read `ICCC_*` variables; the defaults give the embedded SQLite set-up under `data_dir`."""
        database_url = os.environ.get("ICCC_DATABASE_URL") or f"sqlite:///{(data_dir / 'iccc.sqlite3').resolve()}"
        values = dict(
            database_url=_checked_database_url(database_url),
            allowed_webhook_hosts=parse_allowed_hosts(
                os.environ.get("ICCC_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1,localhost")
            ),
            secret_key=os.environ.get("ICCC_SECRET_KEY") or _persistent_secret(data_dir),
            road_network=os.environ.get("ICCC_ROAD_NETWORK", "demo"),
            secure_cookies=os.environ.get("ICCC_SECURE_COOKIES", "true").lower() != "false",
        )
        values.update(_issue_4_settings())
        values.update(_city_data_settings())
        values.update(overrides)
        return cls(**values)


def _persistent_secret(data_dir: Path) -> str:
    """Keep the session-signing key across restarts, readable only by this user."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _issue_4_settings() -> dict:
    env = os.environ.get
    default_delay, delays = parse_delays(env("ICCC_PUBLIC_DELAYS", ""))
    return dict(
        duplicates=DuplicatePolicy(distance_m=_number("ICCC_DUPLICATE_DISTANCE_M", 300.0),
                                   window=timedelta(seconds=_number("ICCC_DUPLICATE_WINDOW_S", 7200.0))),
        publication=PublicationPolicy(default_delay=default_delay, delays=delays,
                                      grid_degrees=_number("ICCC_PUBLIC_GRID_DEGREES", 0.01)),
        cap_sender=env("ICCC_CAP_SENDER", "iccc@city.example"),
        cap_sender_name=env("ICCC_CAP_SENDER_NAME", "City Integrated Command and Control Centre"),
        cap_mapping_path=Path(env("ICCC_CAP_MAPPING")) if env("ICCC_CAP_MAPPING") else None,
        # Read now, so a missing certificate stops the start-up instead of refusing the first alert.
        cap_trust=load_cap_trust(Path(env("ICCC_CAP_TRUST_FILE")) if env("ICCC_CAP_TRUST_FILE") else None,
                                 require_signature=_switch("ICCC_CAP_REQUIRE_SIGNATURE", default=False)),
        cap_places=CapPlaces(
            territory=load_territory(Path(env("ICCC_TERRITORY"))) if env("ICCC_TERRITORY") else None,
            geocodes=load_geocodes(Path(env("ICCC_CAP_GEOCODES"))) if env("ICCC_CAP_GEOCODES") else CapPlaces().geocodes),
        cap_feeds=_feed_urls(env("ICCC_CAP_FEEDS", "")),
        cap_feed_interval_s=_number("ICCC_CAP_FEED_INTERVAL_S", 60.0),
        delivery_workers=int(_number("ICCC_DELIVERY_WORKERS", 8, whole=True)),
        landmarks=load_landmarks(Path(env("ICCC_LANDMARKS"))) if env("ICCC_LANDMARKS") else (),
    )


def _city_data_settings() -> dict:
    env = os.environ.get
    topics = tuple(topic.strip() for topic in env("ICCC_MQTT_TOPICS", ",".join(DEFAULT_TOPICS)).split(",")
                   if topic.strip())
    vehicle_topics = tuple(topic.strip() for topic in env("ICCC_MQTT_VEHICLE_TOPICS", "iccc/vehicles/#").split(",")
                           if topic.strip())
    device_topics = tuple(topic.strip() for topic in env("ICCC_MQTT_DEVICE_TOPICS", ",".join(
        BrokerSettings.device_topics)).split(",") if topic.strip())
    protocol = env("ICCC_MQTT_PROTOCOL", "5").strip()
    if protocol not in ("5", "3.1.1"):
        raise InvalidInput(f"ICCC_MQTT_PROTOCOL must be 5 or 3.1.1, not {protocol!r}", field="ICCC_MQTT_PROTOCOL")
    ca_file = env("ICCC_MQTT_CA_FILE")
    if ca_file and not Path(ca_file).is_file():
        raise InvalidInput(f"ICCC_MQTT_CA_FILE: {ca_file} is not a readable file", field="ICCC_MQTT_CA_FILE")
    return dict(
        sensor_kinds=parse_extra_kinds(env("ICCC_SENSOR_KINDS", "")),
        device_kinds=parse_device_kinds(env("ICCC_DEVICE_KINDS", "")),
        broker=BrokerSettings(
            host=env("ICCC_MQTT_HOST", "127.0.0.1"),
            port=int(_number("ICCC_MQTT_PORT", 1883, whole=True)),
            username=env("ICCC_MQTT_USERNAME", ""), password=env("ICCC_MQTT_PASSWORD", ""),
            tls=_switch("ICCC_MQTT_TLS", default=False), ca_file=Path(ca_file) if ca_file else None,
            topics=topics, vehicle_topics=vehicle_topics, device_topics=device_topics,
            shared_group=env("ICCC_MQTT_SHARED_GROUP", SHARED_GROUP).strip(),
            protocol=5 if protocol == "5" else 4,
            client_id=env("ICCC_MQTT_CLIENT_ID", "").strip(),
            session_expiry_s=int(_number("ICCC_MQTT_SESSION_EXPIRY_S", 3600, whole=True)),
        ),
        retention=ReadingRetention(
            raw=timedelta(days=_number("ICCC_READINGS_RAW_DAYS", 7.0)),
            bucket=timedelta(seconds=_number("ICCC_READINGS_BUCKET_S", 3600.0)),
            keep=timedelta(days=_number("ICCC_READINGS_KEEP_DAYS", 365.0)),
            future_skew=timedelta(seconds=_number("ICCC_READINGS_FUTURE_SKEW_S", 300.0)),
        ),
    )


def _feed_urls(value: str) -> tuple[str, ...]:
    """Comma-separated http(s) URLs of CAP feeds to follow."""
    urls = tuple(url.strip() for url in value.split(",") if url.strip())
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise InvalidInput(f"ICCC_CAP_FEEDS must list http(s) URLs separated by commas, not {url!r}",
                               field="ICCC_CAP_FEEDS")
    return urls


def _checked_database_url(url: str) -> str:
    """The URL, if SQLAlchemy can read it and has its dialect (else a message naming the setting,
    not a traceback from the engine's first use)."""
    problem = database_url_problem(url)
    if problem is not None:
        raise InvalidInput(f"ICCC_DATABASE_URL is not a database URL this engine can use ({problem}); "
                           "for example postgresql+psycopg://user@host/db or sqlite:///path/iccc.sqlite3",
                           field="ICCC_DATABASE_URL")
    return url


def _number(name: str, default: float, *, whole: bool = False) -> float:
    """A positive number setting; anything else stops the start-up with a message naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = None
    if number is None or not (math.isfinite(number) and number > 0):
        kind = "a positive whole number" if whole else "a positive number"
        raise InvalidInput(f"{name} must be {kind}, not {value!r}", field=name)
    return number


def _switch(name: str, *, default: bool) -> bool:
    """An on/off setting; a value that is neither stops the start-up (a misspelt `ture` must not
    quietly leave a safety check off)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise InvalidInput(f"{name} must be true or false, not {value!r}", field=name)
