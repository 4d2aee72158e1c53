"""A command that needs the database, run where there is none (nothing listening, or a database
never upgraded), prints one line naming the database and what to change, exits 1, and shows no
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from processes.cli import main

NOTHING_LISTENS = "postgresql+psycopg://iccc:hunter2-secret@127.0.0.1:1/iccc"
"""Port 1 on the loopback: refused at once, and the password must never be printed."""

COMMANDS = [
    ["tokens", "create", "--name", "cad", "--role", "viewer"],
    ["tokens", "list"],
    ["tokens", "revoke", "cad"],
    ["sop", "install-shipped"],
    ["rules", "list"],
    ["agencies", "add", "--code", "fire-x", "--name", "Fire", "--kind", "fire"],
    ["webhooks", "dead-letters"],
    ["audit", "verify"],
]


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS + [["db", "upgrade"]], ids=" ".join)
def test_a_database_nothing_listens_on_is_named_with_the_setting_to_change(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = _one_error_line(CliRunner().invoke(main, command, env={"ICCC_DATABASE_URL": NOTHING_LISTENS}))
    assert "cannot reach the database postgresql+psycopg://iccc:***@127.0.0.1:1/iccc" in line
    assert "ICCC_DATABASE_URL" in line
    assert "hunter2" not in line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_never_upgraded_says_to_run_db_upgrade(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = _one_error_line(CliRunner().invoke(main, command, env={"ICCC_DATABASE_URL": None}))
    assert "has no schema yet: run `iccc db upgrade`" in line
    assert str(tmp_path / "iccc-data" / "iccc.sqlite3") in line


@pytest.mark.slow
def test_the_real_command_prints_one_line_and_no_traceback(tmp_path: Path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    result = subprocess.run([sys.executable, "-m", "processes", "rules", "list"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, env={**env, "ICCC_DATABASE_URL": NOTHING_LISTENS})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("Error: cannot reach the database")
