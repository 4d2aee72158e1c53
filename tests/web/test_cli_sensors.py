"""`iccc sensors import` and `iccc sensors list`, run as a user runs them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web.test_cli import iccc, migrated_folder  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow


def sensor(sensor_id: str, kind: str = "water_level", unit: str = "m", agency: str = "municipal-corp",
           coordinates=(77.59, 12.97), **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(coordinates)},
            "properties": {"id": sensor_id, "kind": kind, "unit": unit, "agency": agency, "interval_s": 60,
                           **properties}}


def test_sensors_import_reports_every_bad_feature_and_imports_nothing_then_lists_what_it_imported(migrated_folder):
    tmp_path = migrated_folder
    agencies = tmp_path / "agencies.geojson"
    agencies.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"code": "municipal-corp", "name": "BBMP",
                                                             "kind": "municipal"}}]}))
    assert iccc("agencies", "import", str(agencies), cwd=tmp_path).returncode == 0
    bad = tmp_path / "gauges.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        sensor("drain-1"),
        sensor("drain-2", unit="ft"),
        sensor("drain-3", kind="tea_level"),
        sensor("drain-1"),
        sensor("drain/4"),
        sensor("drain-5", agency="nobody"),
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {"id": "drain-6"}},
        sensor("drain-7", coordinates=(200, 12.9)),
    ]}))
    result = iccc("sensors", "import", str(bad), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"{bad}: feature 1: properties.unit: a water_level sensor reports in 'm', 'cm', not 'ft'"
    assert lines[1].startswith(f"{bad}: feature 2: properties.kind: unknown sensor kind 'tea_level'")
    assert lines[2] == f"{bad}: feature 3: sensor id 'drain-1' repeats feature 0"
    assert lines[3].startswith(f"{bad}: feature 4: properties.id: String should match pattern")
    assert lines[4] == f"{bad}: feature 5: properties.agency: no agency has the code 'nobody'"
    assert lines[5] == f"{bad}: feature 6: geometry: a sensor's geometry is a GeoJSON Point"
    assert lines[6].startswith(f"{bad}: feature 7: geometry.coordinates.0: Input should be less than or equal to 180")
    assert lines[7] == f"{bad}: nothing imported"
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sensors").fetchone()[0] == 0

    good = tmp_path / "good.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        sensor("drain-1", name="Silk Board drain"), sensor("button-9", kind="panic_button", unit="")]}))
    result = iccc("sensors", "import", str(good), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 sensors registered, 0 changed" in result.stdout
    assert "0 sensors registered, 2 changed" in iccc("sensors", "import", str(good), cwd=tmp_path).stdout
    listed = iccc("sensors", "list", cwd=tmp_path).stdout.splitlines()
    assert [line.split("\t")[:4] for line in listed] == [["button-9", "panic_button", "municipal-corp", "-"],
                                                          ["drain-1", "water_level", "municipal-corp", "m"]]
    assert listed[1].endswith("no reading yet")
    only = iccc("sensors", "list", "--kind", "panic_button", cwd=tmp_path).stdout.splitlines()
    assert [line.split("\t")[0] for line in only] == ["button-9"]
