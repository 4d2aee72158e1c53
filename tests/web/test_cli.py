"""The `iccc` command, run as a user runs it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import extract_parameters
from argon2.profiles import get_default_parameters
from click.testing import CliRunner

from processes.cli import main

pytestmark = pytest.mark.slow

ICCC = [sys.executable, "-m", "processes"]


def iccc(*args: str, cwd: Path, timeout: float = 60, settings: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    """Run `iccc` as a user would, with none of the caller's ICCC_ settings (only `settings`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")} | (settings or {})
    return subprocess.run([*ICCC, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def migrated_folder(tmp_path, _migrated_sqlite_template) -> Path:
    """A working directory as `iccc db upgrade` leaves it (a test below runs that command itself):
    the same migrations, without paying a process start for each test that needs them."""
    (tmp_path / "iccc-data").mkdir()
    shutil.copyfile(_migrated_sqlite_template, tmp_path / "iccc-data" / "iccc.sqlite3")
    return tmp_path


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"], ["db"], ["db", "upgrade"], ["sop", "validate"],
                                     ["sop", "graph"], ["sop", "simulate"], ["worker"], ["users", "add"],
                                     ["agencies", "add"], ["tokens", "create"]])
def test_every_command_explains_itself(command):
    # In this process: help is the same code either way, and each `iccc` process spends seconds
    # importing the engine before it prints a line (the other tests run the real command).
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("setting, value, told", [
    ("ICCC_DATABASE_URL", "postgress://db/iccc", "ICCC_DATABASE_URL is not a database URL this engine can use"),
    ("ICCC_CAP_REQUIRE_SIGNATURE", "ture", "ICCC_CAP_REQUIRE_SIGNATURE must be true or false, not 'ture'"),
    ("ICCC_CAP_TRUST_FILE", "no-such-trust.yaml", "CAP trust file no-such-trust.yaml: cannot be read"),
    ("ICCC_DELIVERY_WORKERS", "eight", "ICCC_DELIVERY_WORKERS must be a positive whole number, not 'eight'"),
    ("ICCC_DUPLICATE_DISTANCE_M", "-300", "ICCC_DUPLICATE_DISTANCE_M must be a positive number, not '-300'"),
    ("ICCC_LANDMARKS", "no-such.geojson", "ICCC_LANDMARKS: no-such.geojson: cannot be read"),
])
def test_a_bad_setting_stops_a_command_with_one_line_naming_it(setting, value, told, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["db", "upgrade"], env={setting: value})
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert result.stderr.startswith(f"Error: {told}") and "Traceback" not in result.output


def test_db_upgrade_creates_the_schema_under_the_working_directory(tmp_path):
    result = iccc("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "iccc-data" / "iccc.sqlite3").exists()


def test_sop_validate_prints_file_and_line_and_fails(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: T\ntrigger: {incident_types: [flood]}\ntarget: 1h\nsteps:\n"
                   "  - id: a\n    task: {role: army, do: y}\n")
    result = iccc("sop", "validate", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:8: steps.0.task.role")


def test_serve_refuses_an_unmigrated_database_with_a_clear_message(tmp_path):
    result = iccc("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    assert "iccc db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_city_moves_incidents_through_their_sops(tmp_path):
    """The README's first command: agencies answer by webhook and API, and incidents resolve."""
    result = iccc("demo", "--port", "0", "--incident-every", "2", "--answer-delay", "0.2", "--exit-after", "14",
                  cwd=tmp_path, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ICCC demo city running" in result.stdout
    credentials = (tmp_path / "iccc-data" / "demo-credentials.txt")
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    token = credentials.read_text().split("duty officer token: ")[1].split()[0]
    password = credentials.read_text().split("console password: ")[1].split()[0]
    assert token not in result.stdout + result.stderr  # credentials are never logged
    assert password not in result.stdout + result.stderr
    administrator = credentials.read_text().split("console user administrator: password ")[1].split()[0]
    assert administrator not in result.stdout + result.stderr
    planner = credentials.read_text().split("console user planner: password ")[1].split()[0]
    assert planner not in result.stdout + result.stderr  # a planner account for the drill pages
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM incidents GROUP BY status").fetchall())
        places = [row[0] for row in db.execute("SELECT place_name FROM incidents WHERE declared_by != 'engine'")]
        deliveries = db.execute("SELECT count(*) FROM delivery_attempts WHERE outcome = 'delivered'").fetchone()[0]
        served = db.execute("SELECT count(*) FROM dispatch_assignments WHERE status = 'done'").fetchone()[0]
        decided = db.execute("SELECT count(*) FROM duty_requests WHERE status = 'answered' "
                             "AND answered_by = 'duty_officer:demo-duty-officer'").fetchone()[0]
    assert statuses.get("resolved", 0) >= 1, statuses
    assert places and all(place.startswith("near ") for place in places)  # named as a caller would
    assert deliveries >= 3
    assert decided >= 1  # the demo's duty officer answers the SOPs' decisions through the API
    assert served >= 1  # units were recommended, accepted, sent, and reported back
    assert db_roles(tmp_path) == {"duty-officer": "duty_officer", "administrator": "administrator",
                                  "planner": "planner"}


def db_roles(folder) -> dict[str, str]:
    with sqlite3.connect(folder / "iccc-data" / "iccc.sqlite3") as db:
        return dict(db.execute("SELECT username, role FROM users").fetchall())


def test_users_add_keeps_a_hash_and_explains_a_short_password(migrated_folder):
    tmp_path = migrated_folder
    short = subprocess.run([*ICCC, "users", "add", "asha", "--role", "duty_officer", "--password-stdin"],
                           cwd=tmp_path, input="short\n", capture_output=True, text=True, timeout=60,
                           env={key: value for key, value in os.environ.items() if not key.startswith("ICCC_")})
    assert short.returncode == 2 and "password: at least 12 characters" in short.stderr
    created = subprocess.run([*ICCC, "users", "add", "asha", "--role", "duty_officer", "--password-stdin"],
                             cwd=tmp_path, input="correct horse battery staple\n", capture_output=True, text=True,
                             timeout=60, env={key: value for key, value in os.environ.items()
                                              if not key.startswith("ICCC_")})
    assert created.returncode == 0, created.stderr
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        [(stored,)] = db.execute("SELECT password_hash FROM users").fetchall()
    assert stored.startswith("$argon2id$") and "staple" not in stored
    assert extract_parameters(stored) == get_default_parameters()  # only the tests' own process hashes cheaply


def test_the_demo_can_run_a_drill_against_itself(tmp_path):
    """`iccc demo --drill SCENARIO`: the scenario's incidents reach the demo's own server in
    accelerated real time instead of the demo stream, every one marked as an exercise."""
    scenario = Path(__file__).resolve().parents[2] / "simulation" / "scenarios" / "small-city.yaml"
    # 5 s at 2400x: the same 3 h 20 min of the scenario as 10 s at 1200x, a dozen incidents
    # (its arrivals are fixed by its seed), where three make the point.
    result = iccc("demo", "--port", "0", "--answer-delay", "0.2", "--exit-after", "5", "--drill", str(scenario),
                  "--drill-speed", "2400", cwd=tmp_path, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "drill small-city" in result.stdout
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        declared = db.execute("SELECT is_exercise, description FROM incidents WHERE declared_by != 'engine'").fetchall()
    assert len(declared) >= 3
    assert all(is_exercise == 1 and description.startswith("Drill (") for is_exercise, description in declared)
