"""Calibration on one part of a call log, judged on the part it did not see."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from processes.cli import main
from simulation import run_replication, scenario_from_text
from simulation.calibration import CallLogError, read_split_log
from simulation.calibration.call_log import REQUIRED_COLUMNS
from simulation.calibration.fit import fit_offset_and_factor
from simulation.trace import read_calibration

SF_LOG = Path(__file__).resolve().parents[4] / "shared" / "data" / "incidents" / "sf_fire_calls_2020-04-07_to_04-20.csv"


def test_an_affine_drive_is_recovered_from_its_quantiles():
    free_flow = np.random.default_rng(1).lognormal(5, 0.6, 4000)
    logged = 240 + 2.3 * free_flow
    offset, factor = fit_offset_and_factor(list(logged), list(free_flow))
    assert offset == pytest.approx(240, abs=1) and factor == pytest.approx(2.3, abs=0.01)


def test_the_offset_is_never_negative():
    free_flow = np.linspace(100, 400, 50)
    offset, factor = fit_offset_and_factor(list(2 * free_flow - 50), list(free_flow))
    assert offset == 0 and 1.7 < factor < 2


def test_a_drive_offset_adds_to_every_drive_to_a_call_of_that_severity():
    text = """\
name: offset
seed: 2
duration: 30m
city:
  grid: {rows: 5, cols: 5, seed: 1}
  drive_offset_by_severity: {severe: 5m}
  stations: [{id: only, at: [77.590, 12.968], units: {ambulance: 3}}]
incidents:
  - {type: road_accident, rate_per_hour: 6, severity: {SEVERITY: 1}, response: {ambulance: 1}}
"""
    seed = np.random.SeedSequence(4)

    def first_response(severity: str) -> float:
        records = run_replication(scenario_from_text(text.replace("SEVERITY", severity)), 0, seed)
        return records.incidents[0].response_s

    without = run_replication(scenario_from_text(text.replace("SEVERITY", "severe").replace(
        "  drive_offset_by_severity: {severe: 5m}\n", "")), 0, seed).incidents[0].response_s
    assert first_response("severe") == pytest.approx(without + 300)
    assert first_response("moderate") == pytest.approx(without)


def test_a_log_without_the_columns_is_refused_with_its_name_and_line(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("Call Number,Received DtTm\n1,04/07/2020 11:53:08 PM\n", encoding="utf-8")
    with pytest.raises(CallLogError, match=rf"{path}:1: missing column\(s\) Unit ID, Call Type"):
        read_split_log(path, fit_until=datetime(2020, 4, 8, tzinfo=timezone.utc))


def test_a_split_outside_the_log_is_refused(tmp_path):
    path = tmp_path / "calls.csv"
    row = {name: "" for name in REQUIRED_COLUMNS} | {"Call Number": "1", "Received DtTm": "04/07/2020 11:53:08 PM"}
    path.write_text(",".join(REQUIRED_COLUMNS) + "\n" + ",".join(row[c] for c in REQUIRED_COLUMNS) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["drill", "calibrate", str(path), "--fit-until", "2020-05-01"])
    assert result.exit_code == 1
    assert f"{path}: no calls from 2020-05-01 00:00: --fit-until must fall inside the log" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.skipif(not SF_LOG.is_file(), reason=f"needs the SF call log at {SF_LOG}")
def test_the_sf_replay_fitted_on_the_first_week_predicts_the_second_within_ten_percent(tmp_path):
    out = tmp_path / "calibration.yaml"
    result = CliRunner().invoke(main, ["drill", "calibrate", str(SF_LOG), "--fit-until", "2020-04-14",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    fitted = next(i for i, line in enumerate(lines) if line.startswith("fitted ("))
    unseen = next(i for i, line in enumerate(lines) if line.startswith("unseen ("))
    unseen_ratios = [float(x) for x in lines[unseen + 2].split()[1:]]
    assert len(unseen_ratios) == 4 and all(abs(r - 1) <= 0.10 for r in unseen_ratios), result.output
    assert lines[fitted + 2].split()[0] == "ratio"
    assert "meets the 10% aim" in result.output
    calibration = read_calibration(out)
    assert calibration["city"]["drive_offset_by_severity"]["moderate"] > calibration["city"]["drive_offset_by_severity"]["severe"]
