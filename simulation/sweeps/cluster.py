"""Where a sweep runs: an embedded Dask `LocalCluster` (the default) or an existing cluster.

Dask distributed schedules the replications over worker processes, on this machine or on many,
and brings each result back; nothing here is a pool of our own. Workers are processes with one
thread each: a drill is pure Python, so threads would share one interpreter lock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager


def local_cluster(workers: int | None = None):
    """A new local cluster of `workers` processes (one per CPU by default), on free ports.

    No dashboard; the scheduler's small HTTP server (health, metrics) takes a free port too,
    rather than trying 8787 first, which another program may hold.
    """
    # Here, not at import: distributed costs every `iccc` command (and the server's start) 0.4 s.
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                        dashboard_address=":0", scheduler_kwargs={"dashboard": False},
                        silence_logs=logging.WARNING)


@contextmanager
def dask_executor(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """An executor on Dask: a new local cluster of `workers` processes, or the cluster whose
    scheduler listens at `scheduler` (`tcp://HOST:PORT`).

    The local cluster is closed on leaving, and so is the connection to an existing cluster
    (which keeps running). Workers of an existing cluster need this package installed and the
    sweep's files at the same paths.
    """
    from distributed import Client

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client.get_executor()
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        yield client.get_executor()
