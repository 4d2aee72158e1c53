"""The calibration procedure: fit on the first part of the log, replay both parts, compare."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from simulation.calibration.call_log import SplitLog
from simulation.calibration.fit import fit_calibration
from simulation.calibration.replay import PartComparison, compare_part, replay_part


@dataclass(frozen=True)
class CalibrationResult:
    calibration: dict
    fitted: PartComparison
    """The part the calibration saw."""
    judged: PartComparison
    """The part it did not see: the honest measure."""


def calibrate(log: SplitLog, *, seed: int = 0) -> CalibrationResult:
    """Fit on `log.fit`, then replay `log.fit` and `log.judge` with the fit and compare each to the log."""
    calibration = fit_calibration(log, seed=seed)
    return CalibrationResult(
        calibration=calibration,
        fitted=compare_part("fitted", log.fit, replay_part(log, log.fit, calibration, seed=seed)),
        judged=compare_part("unseen", log.judge, replay_part(log, log.judge, calibration, seed=seed)),
    )


def calibration_yaml(result: CalibrationResult, *, source: str, fit_until: str) -> str:
    """The calibration as a file `read_calibration` (and `bench/drill_sf_replay.py --calibration`) reads."""
    def line(comparison: PartComparison) -> str:
        return " / ".join(f"{r:.2f}" for r in comparison.ratios)

    header = (f"# Calibration of the replay of {source}, fitted by `iccc drill calibrate` on the calls received\n"
              f"# before {fit_until} only (simulation/calibration/fit.py says how).\n"
              f"# Simulated / logged received-to-on-scene p50 / p75 / p90 / p95:\n"
              f"#   fitted part ({result.fitted.calls} calls): {line(result.fitted)}\n"
              f"#   unseen part ({result.judged.calls} calls): {line(result.judged)}\n")
    return header + yaml.safe_dump(result.calibration, sort_keys=False)
