"""The `iccc` command: serve, demo, database, SOP, agency and token administration."""

from __future__ import annotations

import random
import secrets
import signal
import threading
from dataclasses import replace
from pathlib import Path

import click
from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError
from waitress import create_server

from coordination import (
    DEMO_AGENCIES,
    SYSTEM,
    AgencyRegistration,
    Role,
    Store,
    install_shipped_sops,
    is_current,
    issue_token,
    register_agency,
    seed_demo_agencies,
    unavailable_reason,
    upgrade,
)
from coordination.dispatch_service import seed_demo_fleet
from coordination.rule_service import install_shipped_rules
from coordination.devices.demo_devices import seed_demo_devices
from coordination.sensors.demo_sensors import demo_tracked_units, seed_demo_sensors
from coordination.store.tables import Agency, ApiToken
from processes.background import BackgroundJobs
from processes.calibrate_command import calibrate_command
from processes.commands import (
    agencies_enable_webhook,
    agencies_import,
    agencies_rotate_secret,
    agencies_rotate_token,
    audit,
    routing,
    webhooks,
)
from processes.demo import (
    DEMO_ADMINISTRATOR,
    DEMO_PLANNER,
    DEMO_USERNAME,
    DemoAgencies,
    DemoAgencyClient,
    DemoDutyOfficer,
    IncidentStream,
    demo_account,
    read_credentials,
    write_credentials,
)
from processes.cap_commands import cap
from processes.demo_broker import DemoBroker, demo_broker
from processes.demo_city_feed import DemoCityFeed, TrackedUnit, demo_topic_base
from processes.device_commands import devices
from processes.drill_commands import drill, load_scenario_or_exit
from processes.drill_live import LiveDrill
from processes.intake_command import intake
from processes.map_commands import map_group
from processes.rule_commands import rules
from processes.sensor_commands import sensors
from processes.sop_commands import sop
from processes.sweep_commands import sweep_command
from processes.token_commands import tokens
from processes.user_commands import users
from processes.worker_command import worker
from sop_engine import AgencyRole, IcccError
from web.app.clock import WallClock
from web.app.config import DEFAULT_DATA_DIR, Settings
from web.app.factory import create_app
from web.app.logs import configure_logging


class _Commands(click.Group):
    """The commands, with the engine's own errors told as one line (`Error: ...`, exit status 1),
    never a traceback: a bad setting (it names the variable), a refused input, or a database that
    cannot be reached or has no schema yet (naming it, and the setting or command that fixes it)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IcccError as error:
            raise click.ClickException(str(error)) from None
        except (OperationalError, ProgrammingError, InterfaceError) as error:
            reason = unavailable_reason(Settings.from_environment().database_url)
            if reason is None:
                raise  # the database is fine: a fault of the engine's, to be seen whole
            raise click.ClickException(reason) from error


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ICCC emergency coordination engine."""
    configure_logging()


main.add_command(sop)
main.add_command(map_group)
main.add_command(rules)
main.add_command(cap)
main.add_command(sensors)
main.add_command(devices)
main.add_command(intake)
main.add_command(worker)
main.add_command(users)
main.add_command(tokens)

drill.add_command(sweep_command)
drill.add_command(calibrate_command)
main.add_command(drill)


def _settings() -> Settings:
    return Settings.from_environment()


def _serve_forever(app, *, host: str, port: int, jobs: BackgroundJobs | None, exit_after_s: float | None,
                   on_listening=None, on_stop=None) -> None:
    try:
        server = create_server(app, host=host, port=port, threads=8)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    actual_port = server.effective_port
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    threading.Thread(target=server.run, name="http", daemon=True).start()
    if jobs is not None:
        jobs.start()
    if on_listening is not None:
        on_listening(actual_port)
    stop.wait(exit_after_s)
    click.echo("stopping…", err=True)
    if on_stop is not None:
        on_stop()
    if jobs is not None:
        jobs.stop()
    server.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free).")
@click.option("--no-background", is_flag=True, help="Do not run the deadline and delivery jobs in this process.")
def serve(host: str, port: int, no_background: bool) -> None:
    """Serve the API and console, and run the deadline and webhook-delivery jobs.

    The database comes from ICCC_DATABASE_URL (default: SQLite under ./iccc-data); its
    schema must be current (`iccc db upgrade`).
    """
    settings = _settings()
    store = Store(settings.database_url)
    if not is_current(store):
        raise click.ClickException("the database schema is not current: run `iccc db upgrade` first")
    clock = WallClock()
    app = create_app(settings, store=store, clock=clock)
    jobs = None if no_background else BackgroundJobs(settings=settings, store=store, clock=clock)
    _serve_forever(app, host=host, port=port, jobs=jobs, exit_after_s=None,
                   on_listening=lambda actual: click.echo(f"serving on http://{host}:{actual}/"))


@main.command()
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free).")
@click.option("--incident-every", default=30.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds between demo incidents.")
@click.option("--answer-delay", default=4.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds a demo agency takes to acknowledge (and twice that for each stage of work).")
@click.option("--exit-after", type=click.FloatRange(min=1), default=None, help="Stop after this many seconds.")
@click.option("--drill", "drill_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A drill scenario whose incidents replace the demo stream (exercises, accelerated real time).")
@click.option("--drill-speed", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Simulated seconds of the drill per wall second.")
@click.option("--rotate-passwords", is_flag=True,
              help="Give the demo's console accounts new passwords (a restart keeps them otherwise).")
def demo(port: int, incident_every: float, answer_delay: float, exit_after: float | None,
         drill_path: Path | None, drill_speed: float, rotate_passwords: bool) -> None:
    """Run the engine with a demo city on 127.0.0.1: agencies that answer, and a stream of incidents.

    Uses ./iccc-data (SQLite) unless ICCC_DATABASE_URL says otherwise; passwords and tokens are
    written to ./iccc-data/demo-credentials.txt. The console passwords stay the same across
    restarts unless --rotate-passwords; the API tokens are new each run. Every demo incident is
    an exercise. With --drill, the incidents come from a drill scenario
    (`simulation/scenarios/small-city.yaml`), declared as exercises at --drill-speed times real time.
    """
    scenario = load_scenario_or_exit(drill_path) if drill_path is not None else None
    settings = _settings()
    store = Store(settings.database_url)
    upgrade(store)
    clock = WallClock()
    receivers = DemoAgencies(api_base="", agencies={}, ack_delay_s=answer_delay, work_delay_s=2 * answer_delay)
    receiver_port = receivers.start()
    credentials = DEFAULT_DATA_DIR / "demo-credentials.txt"
    kept = {} if rotate_passwords else read_credentials(credentials)
    clients, duty_officer_token, password, other_accounts = _prepare_demo_city(store, clock, settings, receiver_port,
                                                                               kept)
    receivers.agencies = clients
    app = create_app(settings, store=store, clock=clock)
    stream: list[IncidentStream | DemoDutyOfficer | LiveDrill | DemoCityFeed] = []
    city_feed, broker = _demo_city_feed(store, clock, settings, app.extensions["iccc"].intake)
    # The jobs publish device commands to the broker the demo's devices listen on (an embedded one
    # when none was reachable on the configured port).
    jobs = BackgroundJobs(settings=replace(settings, broker=broker.settings), store=store, clock=clock)

    def listening(actual_port: int) -> None:
        base = f"http://127.0.0.1:{actual_port}"
        receivers.api_base = base
        write_credentials(credentials, url=base + "/", duty_officer_token=duty_officer_token, agencies=clients,
                          username=DEMO_USERNAME, password=password, other_accounts=other_accounts)
        kept_or_new = ("the same as last time" if kept.get(DEMO_USERNAME) == password
                       else "new" if not rotate_passwords else "rotated")
        click.echo(f"ICCC demo city running: open {base}/ and sign in as {DEMO_USERNAME} with the password in "
                   f"{credentials} ({kept_or_new}; --rotate-passwords gives new ones)\n"
                   f"Every demo incident is an exercise. Press Ctrl-C to stop.")
        if scenario is None:
            stream.append(IncidentStream(api_base=base, token=duty_officer_token, interval_s=incident_every,
                                         rng=random.Random(11)))
        else:
            stream.append(LiveDrill(api_base=base, token=duty_officer_token, scenario=scenario, speed=drill_speed))
            click.echo(f"drill {scenario.name}: {scenario.duration / drill_speed:.0f} s of exercise incidents "
                       f"at {drill_speed:g}x real time")
        stream.append(DemoDutyOfficer(api_base=base, token=duty_officer_token, delay_s=3 * answer_delay,
                                      rng=random.Random(13)))
        stream.append(city_feed)
        click.echo(f"city sensors and vehicle trackers publish to {broker.described}, under "
                   f"{city_feed.topic_base}/readings/<sensor> and .../vehicles/<agency>/<unit>/position, its "
                   "devices answer on .../devices/<id>/confirm; a cloudburst every 3 minutes (the first in 30 s) "
                   "floods three drains: the flood rule declares it and the flood SOP's signs and pumps confirm")
        for part in stream:
            part.start()

    def stopping() -> None:
        for item in stream:
            item.stop()
        receivers.stop()
        broker.stop()

    _serve_forever(app, host="127.0.0.1", port=port, jobs=jobs, exit_after_s=exit_after,
                   on_listening=listening, on_stop=stopping)


def _demo_city_feed(store: Store, clock: WallClock, settings: Settings, intake) -> tuple[DemoCityFeed, DemoBroker]:
    """The demo's sensors, trigger rules and tracked units, publishing to the local broker (or an
    embedded one) under topics of this run's own, and the demo's consumer of them."""
    with store.transaction() as session:
        install_shipped_rules(session=session, clock=clock, actor=SYSTEM)
        seed_demo_sensors(session=session, clock=clock)
        tracked = [TrackedUnit(agency, code, longitude, latitude) for agency, code, longitude, latitude in
                   demo_tracked_units(session)]
    topic_base = demo_topic_base(secrets.token_hex(3))
    with store.transaction() as session:
        seed_demo_devices(session=session, clock=clock, topic_base=topic_base)
    broker = demo_broker(replace(settings.broker, topics=(f"{topic_base}/readings/#",),
                                 vehicle_topics=(f"{topic_base}/vehicles/#",),
                                 device_topics=(f"{topic_base}/devices/+/confirm",), client_id=""))
    feed = DemoCityFeed(broker=broker.settings, topic_base=topic_base, store=store, clock=clock, intake=intake,
                        units=tracked)
    return feed, broker


def _prepare_demo_city(store: Store, clock: WallClock, settings: Settings, receiver_port: int,
                       kept_passwords: dict[str, str]):
    hook = lambda code: f"http://127.0.0.1:{receiver_port}/hooks/{code}"  # noqa: E731
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
        seed_demo_agencies(session=session, clock=clock, allowed_hosts=settings.allowed_webhook_hosts,
                           webhook_url_for={demo.code: hook(demo.code) for demo in DEMO_AGENCIES})
        seed_demo_fleet(session=session, clock=clock)
        # Receivers listen on a new port each run: point every demo agency at it, and replace
        # the demo's tokens (the old ones were only ever in the credentials file).
        session.execute(update(ApiToken).where(ApiToken.name.like("demo-%"), ApiToken.revoked_at.is_(None))
                        .values(revoked_at=clock.now()))
        clients = {}
        for agency in session.scalars(select(Agency).where(Agency.code.in_([demo.code for demo in DEMO_AGENCIES]))):
            agency.webhook_url = hook(agency.code)
            token = issue_token(session=session, clock=clock, name=f"demo-{agency.code}", role=Role.AGENCY,
                                agency_id=agency.id)
            clients[agency.code] = DemoAgencyClient(agency.code, agency.webhook_secret or "", token)
        duty_officer = issue_token(session=session, clock=clock, name="demo-duty-officer", role=Role.DUTY_OFFICER)
        # People's accounts for the console, with the passwords of the last run (kept only in the
        # credentials file, like the tokens) unless they are to be rotated.
        accounts = {username: demo_account(session=session, clock=clock, username=username, role=role,
                                           display_name=display_name, kept_password=kept_passwords.get(username))
                    for username, role, display_name in (
                        (DEMO_USERNAME, Role.DUTY_OFFICER, "Demo duty officer"),
                        (DEMO_ADMINISTRATOR, Role.ADMINISTRATOR, "Demo administrator"),
                        (DEMO_PLANNER, Role.PLANNER, "Demo planner"))}
        password = accounts.pop(DEMO_USERNAME)
        other_accounts = accounts
    return clients, duty_officer, password, other_accounts


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to ICCC_DATABASE_URL (default: SQLite under ./iccc-data)."""
    store = Store(_settings().database_url)
    upgrade(store)
    click.echo("database schema is current")


@main.group()
def agencies() -> None:
    """Agencies."""


@agencies.command("add")
@click.option("--code", required=True, help="Short unique code, e.g. fire-central.")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([role.value for role in AgencyRole]))
@click.option("--webhook-url", default=None, help="Where tasks are posted (host must be allowlisted).")
def agencies_add(code: str, name: str, kind: str, webhook_url: str | None) -> None:
    """Register an agency; prints its API token and webhook secret once."""
    settings = _settings()
    store = Store(settings.database_url)
    registration = AgencyRegistration(code=code, name=name, kind=AgencyRole(kind), webhook_url=webhook_url)
    with store.transaction() as session:
        registered = register_agency(session=session, clock=WallClock(), registration=registration,
                                     allowed_hosts=settings.allowed_webhook_hosts, actor=SYSTEM)
    click.echo(f"agency {code} registered\napi token (shown once): {registered.token}")
    if registered.agency.webhook_secret:
        click.echo(f"webhook secret (shown once): {registered.agency.webhook_secret}")


# Issue 4: agency import and management, routing, webhook dead letters, timeline verification.
agencies.add_command(agencies_import)
agencies.add_command(agencies_rotate_token)
agencies.add_command(agencies_rotate_secret)
agencies.add_command(agencies_enable_webhook)
main.add_command(routing)
main.add_command(webhooks)
main.add_command(audit)
