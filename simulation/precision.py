"""Replications until a KPI is known precisely enough: `iccc drill run --precision KPI=WIDTH`.

The width of a mean's interval shrinks as 1/sqrt(n), so after each round the number of
replications the target needs is estimated as n (width / target)^2 and run (at most doubling
n per round, so one noisy early estimate cannot ask for thousands); new replications continue
the seed sequence, so the records are those one longer run would have given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simulation.intervals import MIN_REPLICATIONS, bootstrap_interval
from simulation.kpis import replication_kpis
from simulation.records import DrillRecords
from simulation.scenario import Scenario

MAX_REPLICATIONS = 500
"""Where `--precision` gives up by default: a KPI that needs more is too rare in the scenario."""


@dataclass(frozen=True)
class PrecisionTarget:
    kpi: str
    width: float

    @classmethod
    def parse(cls, text: str) -> PrecisionTarget:
        """`response_s.mean=60` or `ack_in_time.share | fire-central=0.1` (without a group: `| all`).

        Raises:
            ValueError: not `KPI=WIDTH` with a positive number.
        """
        kpi, equals, width = text.rpartition("=")
        kpi = kpi.strip()
        if not equals or not kpi:
            raise ValueError("write KPI=WIDTH, e.g. response_s.mean=60 (seconds) or ack_in_time.share=0.05")
        try:
            value = float(width)
        except ValueError:
            raise ValueError(f"the width {width!r} is not a number") from None
        if not value > 0 or math.isinf(value):
            raise ValueError("the width is a positive number, in the KPI's own unit (seconds, or a share 0..1)")
        return cls(kpi, value)

    def name_in(self, names: set[str]) -> str | None:
        """The KPI's full name among `names`: as written, or with `| all` added."""
        return next((name for name in (self.kpi, f"{self.kpi} | all") if name in names), None)


@dataclass(frozen=True)
class PreciseDrill:
    records: list[DrillRecords]
    width: float
    reached: bool


def run_until_precise(scenario: Scenario, target: PrecisionTarget, *,
                      run: Callable[[Scenario, int], list[DrillRecords]],
                      on_round: Callable[[int, float], None] = lambda n, width: None,
                      max_replications: int = MAX_REPLICATIONS) -> PreciseDrill:
    """Run `scenario` and add replications until `target.kpi`'s interval is narrower than
    `target.width`, or `max_replications` have run.

    Raises:
        ValueError: the first round reports no such KPI (a misspelt name).

    Args:
        run: runs a scenario's replications from a first number (`run_drill` with
            `first_replication`), so a caller chooses the executor and the progress bar.
        on_round: told the number of replications and the width after each round.
    """
    records: list[DrillRecords] = []
    kpis: list[dict[str, float]] = []
    wanted = min(max_replications, max(scenario.replications, MIN_REPLICATIONS))
    while True:
        more = run(scenario.model_copy(update={"replications": wanted - len(records)}), len(records))
        records += more
        kpis += [replication_kpis(r) for r in more]
        names = {name for k in kpis for name in k}
        kpi = target.name_in(names)
        if kpi is None:
            close = sorted(name for name in names if name.startswith(target.kpi.partition(".")[0]))
            raise ValueError(f"no replication reports {target.kpi!r}"
                             + (f"; KPIs with that stem: {', '.join(close[:8])}" if close else ""))
        width = bootstrap_interval([k[kpi] for k in kpis if kpi in k]).width
        on_round(len(records), width)
        if width < target.width:
            return PreciseDrill(records, width, True)
        if len(records) >= max_replications:
            return PreciseDrill(records, width, False)
        n = len(records)
        needed = n + 1 if math.isnan(width) else math.ceil(n * (width / target.width) ** 2)
        wanted = min(max_replications, max(n + 1, min(needed, 2 * n)))

