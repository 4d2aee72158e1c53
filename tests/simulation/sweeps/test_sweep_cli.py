"""`iccc drill sweep`: what a planner types, and what they get (in this process; Dask in test_dask)."""

from __future__ import annotations

from click.testing import CliRunner

from processes.cli import main


def test_a_bad_sweep_prints_file_and_line_and_exits_1(write_sweep, tmp_path):
    path = write_sweep("name: s\nscenario: city.yaml\nvary:\n  fleet:\n"
                       "    - {station: nowhere, unit_type: ambulance, counts: [1]}\n")
    result = CliRunner().invoke(main, ["drill", "sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{path}:5: vary.fleet.0.station: the scenario has no station 'nowhere'" in result.output
    assert "Traceback" not in result.output


def test_check_lists_the_variants_without_running_them(write_sweep, tmp_path):
    result = CliRunner().invoke(main, ["drill", "sweep", str(write_sweep()), "--out", str(tmp_path), "--check"])
    assert result.exit_code == 0, result.output
    assert "3 variants x 3 replications" in result.output
    assert "#2 fleet east/ambulance=3" in result.output


def test_a_second_run_reads_every_replication_from_the_cache(write_sweep, tmp_path):
    args = ["drill", "sweep", str(write_sweep()), "--out", str(tmp_path / "out"), "--in-process",
            "--cache", str(tmp_path / "cache")]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "9 replications (0 from the cache, 9 run)" in first.output
    table = (tmp_path / "out" / "sweep.csv").read_bytes()
    second = CliRunner().invoke(main, args)
    assert "9 replications (9 from the cache, 0 run)" in second.output
    assert (tmp_path / "out" / "sweep.csv").read_bytes() == table
    assert "the second ambulance at east" in second.output
    assert "report: " in second.output
