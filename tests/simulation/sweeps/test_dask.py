"""Sweeps on a real Dask cluster: a LocalCluster with two worker processes, each replication a task."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from distributed import Client

from processes.cli import main
from simulation import InlineExecutor
from simulation.sweeps import expand, load_sweep, run_sweep, tidy_table
from simulation.sweeps.cluster import local_cluster

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_workers():
    with local_cluster(2) as cluster, Client(cluster) as client:
        yield cluster, client


def test_two_dask_workers_give_the_table_one_process_gives(write_sweep, two_workers):
    cluster, client = two_workers
    assert len(client.scheduler_info()["workers"]) == 2
    loaded = load_sweep(write_sweep())
    variants = expand(loaded)
    on_dask = run_sweep(loaded, variants, executor=client.get_executor())
    in_process = run_sweep(loaded, variants, executor=InlineExecutor())
    assert tidy_table(loaded, variants, on_dask).equals(tidy_table(loaded, variants, in_process))
    # Each replication was its own task on the scheduler.
    assert sum(cluster.scheduler.task_prefixes["run_one"].state_counts.values()) >= 9


def test_the_command_runs_on_an_existing_cluster_and_writes_the_table_and_report(write_sweep, two_workers, tmp_path):
    cluster, _client = two_workers
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["drill", "sweep", str(write_sweep()), "--out", str(out),
                                       "--scheduler", cluster.scheduler_address, "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert {"index.html", "sweep.parquet", "sweep.csv"} <= {p.name for p in out.iterdir()}
    assert "9 replications (0 from the cache, 9 run)" in result.output


def test_the_command_starts_its_own_local_cluster_by_default(write_sweep, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["drill", "sweep", str(write_sweep()), "--out", str(out), "--workers", "2",
                                       "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    in_process = CliRunner().invoke(main, ["drill", "sweep", str(write_sweep()), "--out", str(tmp_path / "inline"),
                                           "--in-process", "--no-cache"])
    assert in_process.exit_code == 0, in_process.output
    assert (out / "sweep.csv").read_bytes() == (tmp_path / "inline" / "sweep.csv").read_bytes()
