"""What a sweep says: each KPI per variant with its interval, the marginal gain of each added
unit, and the cheapest variant that meets the targets."""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.sweeps.execution import SweepRun
from simulation.sweeps.intervals import Interval, mean_interval, paired_difference_interval, share_interval
from simulation.sweeps.spec import LoadedSweep, Target
from simulation.sweeps.variants import Variant, fleet_axis_name, unit_cost

HEADLINE_KPIS = ("response_s.p90 | all", "response_s.mean | all", "utilisation | all", "escalations | all",
                 "unserved_units | all")
"""Shown for every sweep beside its targets' KPIs."""


@dataclass(frozen=True)
class VariantKpi:
    variant: int
    kpi: str
    interval: Interval


@dataclass(frozen=True)
class TargetCheck:
    """One target for one variant: whether its interval lies within the bound, and the share of
    replications that met the bound on their own (Wilson interval)."""

    variant: int
    target: Target
    met: bool
    replications_meeting: Interval


@dataclass(frozen=True)
class MarginalGain:
    """What one more unit of a type at a station buys, the rest of the variant unchanged:
    `cut` is the KPI with one unit fewer minus the KPI with it (positive: it improved)."""

    axis: str
    unit_type: str
    station: str
    count: int
    others: str
    """The other settings, held fixed."""
    kpi: str
    cut: Interval


@dataclass(frozen=True)
class SweepAnalysis:
    kpis: tuple[str, ...]
    summaries: dict[tuple[int, str], Interval]
    costs: dict[int, float]
    checks: tuple[TargetCheck, ...]
    gains: tuple[MarginalGain, ...]
    cheapest: dict[str, int | None]
    """Under each condition (`Variant.condition`; "" when the sweep varies none), the number of the
    cheapest variant meeting every target, or None when none does; empty when no target bounds a KPI."""


def _values(run: SweepRun, variant: int, kpi: str) -> list[float]:
    return [kpis[kpi] for kpis in run.replications_of(variant) if kpi in kpis]


def chosen_kpis(loaded: LoadedSweep) -> tuple[str, ...]:
    """The targets' KPIs first, then the headline ones."""
    names = [t.kpi for t in loaded.sweep.targets]
    return tuple(dict.fromkeys([*names, *HEADLINE_KPIS]))


def within(target: Target, interval: Interval) -> bool:
    """The whole interval within the bound: met with confidence (never with too few replications
    to have an interval)."""
    if math.isnan(interval.width):
        return False
    return ((target.at_most is None or interval.high <= target.at_most)
            and (target.at_least is None or interval.low >= target.at_least))


def _meets_alone(target: Target, value: float) -> bool:
    return (target.at_most is None or value <= target.at_most) and (target.at_least is None or value >= target.at_least)


def analyse(loaded: LoadedSweep, variants: list[Variant], run: SweepRun) -> SweepAnalysis:
    kpis = chosen_kpis(loaded)
    summaries = {(v.number, kpi): mean_interval(_values(run, v.number, kpi)) for v in variants for kpi in kpis}
    costs = {v.number: unit_cost(loaded, v.scenario) for v in variants}
    bounds = [t for t in loaded.sweep.targets if t.at_most is not None or t.at_least is not None]
    checks = []
    for variant in variants:
        for target in bounds:
            values = _values(run, variant.number, target.kpi)
            checks.append(TargetCheck(variant.number, target, within(target, summaries[(variant.number, target.kpi)]),
                                      share_interval(sum(_meets_alone(target, v) for v in values), len(values))))
    cheapest: dict[str, int | None] = {}
    if bounds:
        first = bounds[0].kpi
        for condition in dict.fromkeys(v.condition for v in variants):
            meeting = [v for v in variants if v.condition == condition
                       and all(c.met for c in checks if c.variant == v.number)]
            best = min(meeting, key=lambda v: (costs[v.number], summaries[(v.number, first)].mean, v.number),
                       default=None)
            cheapest[condition] = None if best is None else best.number
    gain_kpis = [t.kpi for t in loaded.sweep.targets] or ["response_s.p90 | all"]
    return SweepAnalysis(kpis=kpis, summaries=summaries, costs=costs, checks=tuple(checks),
                         gains=tuple(marginal_gains(loaded, variants, run, tuple(dict.fromkeys(gain_kpis)))),
                         cheapest=cheapest)


def marginal_gains(loaded: LoadedSweep, variants: list[Variant], run: SweepRun,
                   kpis: tuple[str, ...]) -> list[MarginalGain]:
    """For each fleet axis and each count above its lowest, the paired change from one unit fewer."""
    by_settings = {tuple((s.axis, s.value) for s in v.settings): v for v in variants}
    gains = []
    for axis in loaded.sweep.vary.fleet:
        counts = axis.counts
        for variant in variants:
            setting = next(s for s in variant.settings if s.axis == fleet_axis_name(axis.station, axis.unit_type))
            count = int(setting.value)
            if count == counts[0]:
                continue
            fewer = counts[counts.index(count) - 1]
            key = tuple((s.axis, str(fewer) if s is setting else s.value) for s in variant.settings)
            previous = by_settings[key]
            others = ", ".join(f"{s.axis}={s.value}" for s in variant.settings if s is not setting) or "—"
            for kpi in kpis:
                a = {r: k[kpi] for (n, r), k in run.kpis.items() if n == previous.number and kpi in k}
                b = {r: k[kpi] for (n, r), k in run.kpis.items() if n == variant.number and kpi in k}
                common = sorted(set(a) & set(b))
                gains.append(MarginalGain(axis=setting.axis, unit_type=axis.unit_type, station=axis.station,
                                          count=count, others=others, kpi=kpi,
                                          cut=paired_difference_interval([b[r] for r in common],
                                                                         [a[r] for r in common])))
    return gains


def amount(kpi: str, value: float) -> str:
    """A KPI's value as a planner reads it: times in minutes and seconds, shares in percent."""
    if math.isnan(value):
        return "–"
    measure = kpi.split("|")[0].strip()
    if "_s." in measure or measure.endswith("_s"):
        return f"{value / 60:.1f} min" if abs(value) >= 120 else f"{value:.0f} s"
    if "share" in measure or measure.startswith("utilisation"):
        return f"{100 * value:.1f}%"
    return f"{value:.3g}"


def ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
            8: "eighth", 9: "ninth", 10: "tenth"}.get(n, f"{n}th")


def gain_sentence(gain: MarginalGain) -> str:
    """`the third ambulance at north cuts response_s.p90 | all by 4.0 min (95% CI 3.1 min to 5.2 min)`."""
    cut = gain.cut
    verb = "cuts" if cut.mean >= 0 else "raises"
    interval = "" if math.isnan(cut.low) else \
        f" (95% CI {amount(gain.kpi, cut.low)} to {amount(gain.kpi, cut.high)})"
    return (f"the {ordinal(gain.count)} {gain.unit_type.replace('_', ' ')} at {gain.station} {verb} {gain.kpi} "
            f"by {amount(gain.kpi, abs(cut.mean))}{interval}")
