"""`iccc drill sweep`: many variants of a drill on Dask (registered under `iccc drill`)."""

from __future__ import annotations

import math
import sys
from concurrent.futures import Executor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import click
from tqdm import tqdm

from simulation import InlineExecutor
from simulation.sweeps import (
    LoadedSweep,
    Progress,
    ReplicationCache,
    analyse,
    dask_executor,
    expand,
    gain_sentence,
    load_sweep,
    run_sweep,
    tidy_table,
    verdict,
    write_sweep_report,
    write_table,
)
from simulation.sweeps.analysis import amount
from sop_engine import SopDefinitionError

DEFAULT_CACHE = Path("iccc-data") / "sweep-cache"


def load_sweep_or_exit(path: Path) -> LoadedSweep:
    """Load a sweep, or print its problems as `file:line: message` and exit 1."""
    try:
        return load_sweep(path)
    except SopDefinitionError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)


def _executor(scheduler: str | None, workers: int | None, in_process: bool) -> AbstractContextManager[Executor]:
    if in_process:
        return nullcontext(InlineExecutor())
    return dask_executor(scheduler=scheduler, workers=workers)


@click.command(name="sweep")
@click.argument("sweep_path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="folder for index.html, sweep.parquet and sweep.csv")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="an existing Dask cluster's scheduler (default: a local cluster, started and stopped here)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes of the local cluster (default: one per CPU)")
@click.option("--in-process", is_flag=True, help="run every replication in this process, without Dask")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True,
              help="finished replications, by content hash: a stopped sweep resumes from here")
@click.option("--no-cache", is_flag=True, help="keep no finished replication (and read none)")
@click.option("--check", is_flag=True, help="only check the sweep file and list its variants")
def sweep_command(sweep_path: Path, out_dir: Path, scheduler: str | None, workers: int | None, in_process: bool,
                  cache_dir: Path, no_cache: bool, check: bool) -> None:
    """Run every variant of a sweep; write the tidy table and the report."""
    if scheduler is not None and (in_process or workers is not None):
        raise click.UsageError("--scheduler runs on an existing cluster: give neither --workers nor --in-process")
    loaded = load_sweep_or_exit(sweep_path)
    variants = expand(loaded)
    click.echo(f"{sweep_path}: {len(variants)} variants x {loaded.sweep.replications}"
               f"{'' if loaded.sweep.max_replications is None else f'..{loaded.sweep.max_replications}'} replications")
    if check:
        for variant in variants:
            click.echo(f"  #{variant.number} {variant.label}")
        return
    cache = None if no_cache else ReplicationCache(cache_dir)
    with tqdm(total=len(variants) * loaded.sweep.replications, desc=loaded.sweep.name, unit="replication",
              file=sys.stderr) as bar:
        def progress(p: Progress) -> None:
            bar.total = p.planned
            bar.n = p.done
            bar.set_postfix(cached=p.from_cache, refresh=False)
            bar.refresh()

        try:
            with _executor(scheduler, workers, in_process) as executor:
                run = run_sweep(loaded, variants, executor=executor, cache=cache, on_progress=progress)
        except KeyboardInterrupt:
            bar.close()
            click.echo(f"stopped; finished replications are kept in {cache_dir}: run the same command to resume",
                       err=True)
            sys.exit(130)
    analysis = analyse(loaded, variants, run)
    write_table(tidy_table(loaded, variants, run), out_dir)
    page = write_sweep_report(folder=out_dir, loaded=loaded, variants=variants, analysis=analysis,
                              replications=len(run.kpis), from_cache=run.from_cache)
    click.echo(f"{len(run.kpis)} replications ({run.from_cache} from the cache, {run.ran} run)")
    for variant in variants:
        cells = []
        for kpi in analysis.kpis[:3]:
            interval = analysis.summaries[(variant.number, kpi)]
            spread = "" if math.isnan(interval.low) else \
                f" [{amount(kpi, interval.low)}, {amount(kpi, interval.high)}]"
            cells.append(f"{kpi} {amount(kpi, interval.mean)}{spread}")
        click.echo(f"  #{variant.number} {variant.label} (cost {analysis.costs[variant.number]:g}, "
                   f"n={analysis.summaries[(variant.number, analysis.kpis[0])].n}): " + "; ".join(cells))
    for gain in analysis.gains:
        if gain.cut.n > 0:
            click.echo(f"  {gain_sentence(gain)} (with {gain.others})")
    click.echo(verdict(loaded, variants, analysis))
    click.echo(f"report: {page}")
