"""The `iccc` commands for agencies, webhooks and the timeline, run as a user runs them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web.test_cli import iccc, migrated_folder  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow


def square(west: float, south: float) -> dict:
    ring = [[west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, kind: str = "police", geometry: dict | None = None, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry or square(77.5, 12.9),
            "properties": {"code": code, "name": code.title(), "kind": kind, **properties}}


def test_agencies_import_reports_every_bad_feature_by_index_and_imports_nothing(migrated_folder):
    tmp_path = migrated_folder
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    bad = tmp_path / "stations.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("ps-koramangala"),
        feature("ps-bad-kind", kind="navy"),
        feature("ps-bowtie", geometry=bowtie),
        feature("ps-koramangala"),
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [77.5, 12.9]}, "properties": {}},
    ]}))
    result = iccc("agencies", "import", str(bad), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}: feature 1: properties.kind")
    assert lines[1].startswith(f"{bad}: feature 2: geometry.coordinates: the polygon is not valid")
    assert lines[2] == f"{bad}: feature 3: code 'ps-koramangala' repeats feature 0"
    assert lines[3].startswith(f"{bad}: feature 4: geometry.type")
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM agencies").fetchone()[0] == 0

    good = tmp_path / "good.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("ps-koramangala", priority=5, chain_of_command={"supervisor": {"name": "ACP South"}}),
        feature("bescom-city", kind="electricity", geometry=None, webhook_url="http://127.0.0.1:9/hook"),
    ]}))
    result = iccc("agencies", "import", str(good), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 agencies registered, 0 updated" in result.stdout
    assert "webhook secret (shown once): whsec_" in result.stdout
    again = iccc("agencies", "import", str(good), cwd=tmp_path)
    assert "0 agencies registered, 2 updated" in again.stdout


def test_audit_verify_reports_the_first_altered_entry(migrated_folder):
    tmp_path = migrated_folder
    collection = tmp_path / "a.geojson"
    collection.write_text(json.dumps({"type": "FeatureCollection", "features": [feature("ps-a"), feature("ps-b")]}))
    iccc("agencies", "import", str(collection), cwd=tmp_path)
    intact = iccc("audit", "verify", cwd=tmp_path)
    assert intact.returncode == 0 and "timeline intact: 3 entries" in intact.stdout
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        db.execute("UPDATE timeline SET summary = 'nothing happened' WHERE seq = 2")
    broken = iccc("audit", "verify", cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.strip() == "timeline broken at entry 2: its content was altered"


def test_audit_verify_checks_a_head_kept_elsewhere_so_removing_the_newest_entries_shows(migrated_folder):
    tmp_path = migrated_folder
    collection = tmp_path / "a.geojson"
    collection.write_text(json.dumps({"type": "FeatureCollection", "features": [feature("ps-a")]}))
    iccc("agencies", "import", str(collection), cwd=tmp_path)
    intact = iccc("audit", "verify", cwd=tmp_path)
    kept = intact.stdout.split(", head ", 1)[1].split()[0]
    assert kept.startswith("2:") and len(kept) == 2 + 64
    assert "the kept head 2 is in it" in iccc("audit", "verify", "--head", kept, cwd=tmp_path).stdout
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        db.execute("DELETE FROM timeline WHERE seq = 2")
    assert iccc("audit", "verify", cwd=tmp_path).returncode == 0  # the shorter chain is intact
    removed = iccc("audit", "verify", "--head", kept, cwd=tmp_path)
    assert removed.returncode == 1 and removed.stderr.startswith("timeline broken at entry 2: is gone")
    typo = iccc("audit", "verify", "--head", "2-abc", cwd=tmp_path)
    assert typo.returncode == 2 and "give the head as SEQ:HASH" in typo.stderr


def test_webhooks_replay_explains_what_it_needs(migrated_folder):
    tmp_path = migrated_folder
    result = iccc("webhooks", "replay", cwd=tmp_path)
    assert result.returncode == 2 and "--all" in result.stderr
    unknown = iccc("webhooks", "replay", "msg_nope", cwd=tmp_path)
    assert unknown.returncode == 1 and "msg_nope does not exist" in unknown.stderr
    assert "0 dead letter(s)" in iccc("webhooks", "dead-letters", cwd=tmp_path).stdout
