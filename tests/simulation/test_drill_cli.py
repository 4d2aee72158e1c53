"""`iccc drill run` and `iccc drill compare`: what a planner types, and what they get."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from processes.cli import main

REPORT_FILES = {"index.html", "records.json", "kpis.csv", "incidents.csv", "tasks.csv", "escalations.csv",
                "dispatches.csv", "unserved.csv", "units.csv", "response_times.png", "incidents_over_time.png",
                "units_busy_over_time.png", "map.png"}


def test_drill_run_writes_the_report_the_records_and_the_plots(small_city_file, tmp_path):
    report = tmp_path / "report"
    result = CliRunner().invoke(main, ["drill", "run", str(small_city_file), "--report", str(report),
                                       "--replications", "2"])
    assert result.exit_code == 0, result.output
    assert REPORT_FILES <= {p.name for p in report.iterdir()}
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "EXERCISE" in page and '<img src="map.png"' in page and "http" not in page
    records = json.loads((report / "records.json").read_text(encoding="utf-8"))
    assert records["is_exercise"] is True and len(records["replications"]) == 2
    with (report / "incidents.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["is_exercise"] for row in rows} == {"True"}
    assert {row["replication"] for row in rows} == {"0", "1"}
    with (report / "kpis.csv").open(encoding="utf-8") as handle:
        names = {row["kpi"] for row in csv.DictReader(handle)}
    assert {"response_s.mean | all", "response_s.p95 | all", "utilisation | all", "escalations | all",
            "unserved_units | all", "time_to_close_s.mean | all"} <= names
    assert (report / "map.png").read_bytes().startswith(b"\x89PNG")


def test_drill_compare_prints_both_policies_and_their_difference(small_city_file):
    result = CliRunner().invoke(main, ["drill", "compare", str(small_city_file), "--policy", "greedy",
                                       "--policy", "optimised", "--replications", "2", "--engine", "runtime"])
    assert result.exit_code == 0, result.output
    lines = result.output.replace("\r", "\n").splitlines()  # the progress bars share the terminal
    header = next(line for line in lines if line.startswith("KPI"))
    assert "greedy" in header and "optimised" in header and "B - A" in header
    assert any(line.startswith("response_s.mean | all") and "(too few)" in line for line in lines)


def test_drill_compare_needs_two_arms(small_city_file):
    result = CliRunner().invoke(main, ["drill", "compare", str(small_city_file), "--policy", "greedy"])
    assert result.exit_code == 2
    assert "exactly two" in result.output


def test_drill_compare_two_sop_sets(small_city_file, tmp_path):
    """SOP set B (the shipped road-accident SOP without its police step) against the shipped set."""
    folder = tmp_path / "lean-sops"
    folder.mkdir()
    (folder / "road-accident.yaml").write_text("""\
id: road-accident
version: 9
title: Road accident, ambulance only
trigger: {incident_types: [road_accident], min_severity: moderate}
target: 2h
steps:
  - id: ambulance
    task: {role: health, do: "Send an ambulance"}
    ack_within: 1m
    complete_within: 45m
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["drill", "compare", str(small_city_file), "--sops", "shipped",
                                       "--sops", str(folder), "--replications", "2", "--engine", "runtime",
                                       "--all-kpis"])
    assert result.exit_code == 0, result.output
    lines = result.output.replace("\r", "\n").splitlines()
    assert any(line.startswith("ack_in_time.share | police-central ") for line in lines)


def test_drill_run_without_report_writes_to_a_new_folder_under_iccc_data(small_city_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["drill", "run", str(small_city_file), "--replications", "1"])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "iccc-data" / "drills").iterdir()
    assert folder.name.startswith("test-city-") and (folder / "index.html").exists()
    assert f"report: iccc-data/drills/{folder.name}/index.html" in result.output
