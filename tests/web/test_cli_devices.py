"""`iccc devices import` and `iccc devices list`, run as a user runs them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web.test_cli import iccc, migrated_folder  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow


def device(device_id: str, kind: str = "message_sign", agency: str = "municipal-corp", coordinates=(77.62, 12.917),
           **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(coordinates)},
            "properties": {"id": device_id, "kind": kind, "agency": agency, **properties}}


def test_devices_import_reports_every_bad_feature_and_imports_nothing_then_lists_what_it_imported(migrated_folder):
    tmp_path = migrated_folder
    agencies = tmp_path / "agencies.geojson"
    agencies.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"code": "municipal-corp", "name": "BBMP",
                                                             "kind": "municipal"}}]}))
    assert iccc("agencies", "import", str(agencies), cwd=tmp_path).returncode == 0
    bad = tmp_path / "signs.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        device("vms-1"),
        device("vms-2", kind="hologram"),
        device("vms-1"),
        device("vms-4", agency="nobody"),
        device("vms-5", command_topic="signs/+/cmd"),
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": {"id": "vms-6"}},
    ]}))
    result = iccc("devices", "import", str(bad), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}: feature 1: properties.kind: unknown device kind 'hologram'")
    assert lines[1] == f"{bad}: feature 2: device id 'vms-1' repeats feature 0"
    assert lines[2] == f"{bad}: feature 3: properties.agency: no agency has the code 'nobody'"
    assert lines[3].startswith(f"{bad}: feature 4: properties.command_topic: String should match pattern")
    assert lines[4] == f"{bad}: feature 5: geometry: a device's geometry is a GeoJSON Point"
    assert lines[5] == f"{bad}: nothing imported"
    with sqlite3.connect(tmp_path / "iccc-data" / "iccc.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM devices").fetchone()[0] == 0

    good = tmp_path / "good.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        device("vms-1", name="Silk Board"), device("pump-7", kind="drainage_pump", confirmation_topic="bwssb/7/ack")]}))
    # The pump answers on its owner's topic: the intake must be told to hear it (else it is refused, see the API's tests).
    result = iccc("devices", "import", str(good), cwd=tmp_path,
                  settings={"ICCC_MQTT_DEVICE_TOPICS": "iccc/devices/+/confirm,bwssb/+/ack"})
    assert result.returncode == 0, result.stderr
    assert "2 devices registered, 0 changed" in result.stdout
    listed = iccc("devices", "list", cwd=tmp_path).stdout.splitlines()
    assert listed == ["pump-7\tdrainage_pump\tmunicipal-corp\t77.62000,12.91700\ticcc/devices/pump-7/command\tbwssb/7/ack",
                      "vms-1\tmessage_sign\tmunicipal-corp\t77.62000,12.91700\ticcc/devices/vms-1/command\t"
                      "iccc/devices/vms-1/confirm"]
