"""`iccc rules ...`: what a rule author sees (no database for validate and schema), and the
stored rules managed from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from processes.cli import main

RIVER = """\
id: river
version: 1
title: River over its mark
sensors: {kind: water_level, unit: m}
threshold: {above: 2.0, clear_at: 1.6, for: 10m}
bands: {severe: 2.5}
declare: {incident_type: flood}
"""


def iccc(*args, env=None):
    return CliRunner().invoke(main, list(map(str, args)), env=env)


def test_a_valid_rule_gets_one_line_saying_what_it_does(tmp_path):
    path = tmp_path / "river.yaml"
    path.write_text(RIVER)
    result = iccc("rules", "validate", path)
    assert result.exit_code == 0, result.output
    assert result.output == (f"{path}: river@v1 valid: threshold on water_level: a reading >= 2 m for 10m; "
                             "clears at <= 1.6 m; bands severe 2.5; then declare flood (moderate)\n")


def test_every_file_is_checked_and_each_problem_is_a_file_and_line(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(RIVER)
    bad.write_text(RIVER.replace("clear_at: 1.6", "clear_at: 2.2"))
    result = iccc("rules", "validate", good, bad)
    assert result.exit_code == 1
    assert f"{bad}:5: threshold.clear_at: must be below `above` (2)" in result.stderr
    assert f"{good}: river@v1 valid" in result.stdout


def test_the_schema_is_printed_as_json():
    result = iccc("rules", "schema")
    assert result.exit_code == 0 and "correlation" in json.loads(result.output)["properties"]


@pytest.mark.parametrize("command", [["rules"], ["rules", "validate"], ["rules", "install-shipped"],
                                     ["rules", "upload"], ["rules", "list"], ["rules", "activate"],
                                     ["rules", "retire"]])
def test_every_rules_command_explains_itself(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_stored_rules_are_installed_uploaded_listed_and_retired(tmp_path, _migrated_sqlite_template):
    database = tmp_path / "iccc.sqlite3"
    database.write_bytes(_migrated_sqlite_template.read_bytes())
    env = {"ICCC_DATABASE_URL": f"sqlite:///{database}"}
    assert "installed 8 rule version(s)" in iccc("rules", "install-shipped", env=env).output
    path = tmp_path / "river.yaml"
    path.write_text(RIVER.replace("version: 1", "version: 4"))
    assert iccc("rules", "upload", path, "--stage", env=env).output == "stored river@v4 (staged)\n"
    listing = iccc("rules", "list", env=env).output
    assert "river@v4\tstaged\twater_level\tRiver over its mark" in listing
    assert "drains-flood@v2\tactive\twater_level" in listing
    assert iccc("rules", "activate", "river", "4", env=env).output == "river@v4 active\n"
    assert iccc("rules", "retire", "river", "4", env=env).output == "river@v4 retired\n"
    refused = iccc("rules", "activate", "river", "4", env=env)
    assert refused.exit_code == 1 and "retired and cannot be activated" in refused.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(RIVER.replace("flood", "tsunami"))
    failed = iccc("rules", "upload", bad, env=env)
    assert failed.exit_code == 1 and f"{bad}:7: declare.incident_type" in failed.stderr
