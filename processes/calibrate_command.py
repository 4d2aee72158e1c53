"""`iccc drill calibrate CALLS.csv --fit-until DATE`: fit the trace-driven replay to a city's own
call log on the calls before DATE, and judge it on the calls after."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from simulation.calibration import PERCENTILES, CallLogError, PartComparison, calibrate, calibration_yaml, read_split_log


def _rows(comparison: PartComparison) -> list[str]:
    label = f"{comparison.name} ({comparison.calls} calls)"
    return [f"{label:28s} logged    " + "".join(f"{v:8.0f}" for v in comparison.logged_s),
            f"{'':28s} simulated " + "".join(f"{v:8.0f}" for v in comparison.simulated_s),
            f"{'':28s} ratio     " + "".join(f"{r:8.2f}" for r in comparison.ratios)]


@click.command(name="calibrate")
@click.argument("calls_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fit-until", required=True, type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              help="fit on the calls received before this date (the log's local time); judge on the rest")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write the fitted calibration here (YAML)")
@click.option("--seed", type=int, default=0, show_default=True)
def calibrate_command(calls_path: Path, fit_until: datetime, out_path: Path | None, seed: int) -> None:
    """Fit the replay on the log before --fit-until; print both parts' percentiles side by side."""
    until = fit_until.replace(tzinfo=timezone.utc)  # the log's times are read in the same nominal zone
    try:
        log = read_split_log(calls_path, fit_until=until)
    except CallLogError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{calls_path}: {len(log.fit.calls)} calls to fit on (before {fit_until:%Y-%m-%d %H:%M}), "
               f"{len(log.judge.calls)} to judge on; fitting (a few replays of the fitting part)...", err=True)
    result = calibrate(log, seed=seed)
    city = result.calibration["city"]
    click.echo("fitted: drive = offset + factor x the grid's free-flow time; "
               + "; ".join(f"{severity}: {city['drive_offset_by_severity'][severity]:.0f} s + "
                           f"{factor:.2f} x" for severity, factor in city["speed_factor_by_severity"].items()))
    click.echo(f"received to first unit on scene (s)     " + "".join(f"{'p' + str(q):>8s}" for q in PERCENTILES))
    for line in _rows(result.fitted) + _rows(result.judged):
        click.echo(line)
    worst = result.judged.worst_error
    click.echo(f"unseen part: within {100 * worst:.0f}% of the log at every percentile "
               f"({'meets' if worst <= 0.10 else 'misses'} the 10% aim)")
    if out_path is not None:
        out_path.write_text(calibration_yaml(result, source=calls_path.name, fit_until=f"{fit_until:%Y-%m-%d %H:%M}"),
                            encoding="utf-8")
        click.echo(f"calibration: {out_path}")
