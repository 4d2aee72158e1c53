"""A city's call log, split at a date: the part a calibration may learn from and the part it is
judged on.

The log is a CSV with the columns of DataSF's "Fire Department Calls for Service" (one row per
unit sent to a call): `Call Number`, `Unit ID`, `Call Type`, `Received DtTm`, `Dispatch DtTm`,
`Response DtTm` (the unit rolled), `On Scene DtTm`, `Available DtTm`, `Original Priority`,
`Station Area`, `Unit Type`, `Location` ("(lat, lon)"), times as `MM/DD/YYYY hh:mm:ss AM`. A
city whose log has other names renames its columns to these (see README, Calibration).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from simulation.trace import EMERGENCY_PRIORITIES, SF_UNIT_TYPES, LoggedCall, LoggedUnit, _time, sf_calls_from_rows
from sop_engine import Severity

MAX_TURNOUT_S = 600.0
"""Turnouts above 10 minutes are clock errors or units that were not really dispatched to roll."""

REQUIRED_COLUMNS = ("Call Number", "Unit ID", "Call Type", "Received DtTm", "Dispatch DtTm", "Response DtTm",
                    "On Scene DtTm", "Available DtTm", "Original Priority", "Station Area", "Unit Type", "Location")


class CallLogError(ValueError):
    """The call log cannot be read; the message names the file (and the line, where there is one)."""


@dataclass(frozen=True)
class LogPart:
    """The calls and units of one part of the log, and how its units rolled and drove."""

    rows: tuple[dict[str, str], ...]
    calls: tuple[LoggedCall, ...]
    units: tuple[LoggedUnit, ...]

    @property
    def start(self) -> datetime:
        return self.calls[0].received

    @property
    def hours(self) -> float:
        return (self.calls[-1].received - self.calls[0].received).total_seconds() / 3600 + 1 / 3600

    def turnouts_s(self) -> dict[str, list[float]]:
        """Dispatch to rolling, per vocabulary unit type (turnouts over `MAX_TURNOUT_S` left out)."""
        found: dict[str, list[float]] = defaultdict(list)
        for row in self.rows:
            unit_type = SF_UNIT_TYPES.get(row["Unit Type"])
            dispatched, rolled = _time(row["Dispatch DtTm"]), _time(row["Response DtTm"])
            if unit_type and dispatched and rolled and 0 <= (rolled - dispatched).total_seconds() <= MAX_TURNOUT_S:
                found[unit_type].append((rolled - dispatched).total_seconds())
        return dict(found)

    def first_drives_s(self) -> dict[Severity, list[float]]:
        """Rolling to on scene of each call's first unit on scene, by the call's severity."""
        first: dict[str, tuple[datetime, float, Severity]] = {}
        for row in self.rows:
            if SF_UNIT_TYPES.get(row["Unit Type"]) is None:
                continue
            rolled, arrived = _time(row["Response DtTm"]), _time(row["On Scene DtTm"])
            if rolled is None or arrived is None or arrived < rolled:
                continue
            severity = Severity.SEVERE if row["Original Priority"] in EMERGENCY_PRIORITIES else Severity.MODERATE
            seen = first.get(row["Call Number"])
            if seen is None or arrived < seen[0]:
                first[row["Call Number"]] = (arrived, (arrived - rolled).total_seconds(), severity)
        drives: dict[Severity, list[float]] = defaultdict(list)
        for _arrived, drive_s, severity in first.values():
            drives[severity].append(drive_s)
        return dict(drives)


@dataclass(frozen=True)
class SplitLog:
    """The whole log (its extent lays the city's grid) and its two parts."""

    everything: LogPart
    fit: LogPart
    judge: LogPart


def _part(rows: list[dict[str, str]]) -> LogPart:
    calls, units = sf_calls_from_rows(rows)
    return LogPart(rows=tuple(rows), calls=tuple(calls), units=tuple(units))


def read_split_log(path: str | Path, *, fit_until: datetime) -> SplitLog:
    """Read the log; calls received before `fit_until` are for fitting, the rest for judging.

    Raises:
        CallLogError: the file cannot be read, lacks a column, has a bad time, or one part is empty.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CallLogError(f"{path}:1: missing column(s) {', '.join(missing)}")
            fit, judge = [], []
            for row in reader:
                try:
                    received = _time(row["Received DtTm"])
                except ValueError as error:
                    raise CallLogError(f"{path}:{reader.line_num}: Received DtTm: {error}") from error
                if received is None:
                    continue
                (fit if received < fit_until else judge).append(row)
    except OSError as error:
        raise CallLogError(f"{path}: cannot read the call log: {error.strerror}") from error
    if not fit or not judge:
        raise CallLogError(f"{path}: no calls {'before' if not fit else 'from'} {fit_until:%Y-%m-%d %H:%M}: "
                           "--fit-until must fall inside the log")
    return SplitLog(everything=_part(fit + judge), fit=_part(fit), judge=_part(judge))
