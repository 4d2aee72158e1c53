"""A sweep's results as one tidy table: one row per variant, replication and KPI.

Columns: `variant` (its number), `label`, one column per varied parameter (the value as text),
`cost`, `replication`, `seed` (the sweep's; replication r draws from its r-th child), `kpi`,
`value`. Written as Parquet (pyarrow) and as CSV, sorted, so the same sweep gives the same
files byte for byte however many workers ran it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from simulation.sweeps.execution import SweepRun
from simulation.sweeps.spec import LoadedSweep
from simulation.sweeps.variants import Variant, unit_cost

TABLE = "sweep"


def tidy_table(loaded: LoadedSweep, variants: list[Variant], run: SweepRun) -> pa.Table:
    """The table described above, rows ordered by variant, replication and KPI name."""
    axes = list(dict.fromkeys(s.axis for v in variants for s in v.settings))
    columns: dict[str, list] = {name: [] for name in ("variant", "label", *axes, "cost", "replication", "seed",
                                                      "kpi", "value")}
    by_number = {v.number: v for v in variants}
    for (number, replication), kpis in sorted(run.kpis.items()):
        variant = by_number[number]
        values = variant.values()
        cost = unit_cost(loaded, variant.scenario)
        for kpi in sorted(kpis):
            columns["variant"].append(number)
            columns["label"].append(variant.label)
            for axis in axes:
                columns[axis].append(values.get(axis))
            columns["cost"].append(cost)
            columns["replication"].append(replication)
            columns["seed"].append(loaded.seed)
            columns["kpi"].append(kpi)
            columns["value"].append(kpis[kpi])
    schema = pa.schema([("variant", pa.int32()), ("label", pa.string()), *[(a, pa.string()) for a in axes],
                        ("cost", pa.float64()), ("replication", pa.int32()), ("seed", pa.int64()),
                        ("kpi", pa.string()), ("value", pa.float64())])
    return pa.table(columns, schema=schema)


def write_table(table: pa.Table, folder: Path) -> tuple[Path, Path]:
    """Write `sweep.parquet` and `sweep.csv` into `folder`; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    parquet, text = folder / f"{TABLE}.parquet", folder / f"{TABLE}.csv"
    pq.write_table(table, parquet)
    pa_csv.write_csv(table, text)
    return parquet, text
