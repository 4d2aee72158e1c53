"""Calibrating a trace-driven drill on one part of a city's call log and judging it on another.

    log = read_split_log("calls.csv", fit_until=datetime(2020, 4, 14, tzinfo=timezone.utc))
    result = calibrate(log)          # fitted on log.fit only, replayed on both parts
    result.judged.ratios             # simulated / logged p50, p75, p90, p95 on the unseen part
"""

from simulation.calibration.call_log import CallLogError, LogPart, SplitLog, read_split_log
from simulation.calibration.fit import fit_calibration
from simulation.calibration.procedure import CalibrationResult, calibrate, calibration_yaml
from simulation.calibration.replay import PERCENTILES, PartComparison, compare_part, paired_responses, replay_part

__all__ = [
    "PERCENTILES",
    "CalibrationResult",
    "CallLogError",
    "LogPart",
    "PartComparison",
    "SplitLog",
    "calibrate",
    "calibration_yaml",
    "compare_part",
    "fit_calibration",
    "paired_responses",
    "read_split_log",
    "replay_part",
]
