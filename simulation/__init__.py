"""Crisis drills: SimPy simulations that run the production SOPs and dispatch policy.

A scenario (YAML) names the city, its fleet, SOPs, what happens and how agencies behave; each
replication drives the real `coordination` services in simulated time over its own in-memory
database; KPIs come with confidence intervals across replications. A scenario's gauges report
through the live trigger rules, and its devices answer the SOPs' commands. Every drill incident
is an exercise.
"""

from simulation.centre_kpis import centre_kpis
from simulation.engine import Drill, run_replication
from simulation.erlang import erlang_c, mean_wait_s
from simulation.kpis import KpiDifference, KpiSummary, compare, replication_kpis, summarise, t_interval
from simulation.records import (
    CommandRecord,
    DispatchRecord,
    DrillRecords,
    EscalationRecord,
    IncidentRecord,
    RuleFiringRecord,
    TaskRecord,
    UnitRecord,
    UnservedRecord,
)
from simulation.progress import run_drill_with_progress
from simulation.report import write_report
from simulation.runner import InlineExecutor, replication_seeds, run_drill
from simulation.scenario import Scenario, load_scenario, scenario_from_text
from simulation.services_world import sop_files
from simulation.trace import LoggedCall, ReplayComparison, compare_replay, read_sf_calls, replay_scenario

__all__ = [
    "CommandRecord",
    "DispatchRecord",
    "Drill",
    "DrillRecords",
    "EscalationRecord",
    "IncidentRecord",
    "InlineExecutor",
    "KpiDifference",
    "KpiSummary",
    "LoggedCall",
    "ReplayComparison",
    "RuleFiringRecord",
    "Scenario",
    "TaskRecord",
    "UnitRecord",
    "UnservedRecord",
    "centre_kpis",
    "compare",
    "compare_replay",
    "erlang_c",
    "load_scenario",
    "mean_wait_s",
    "read_sf_calls",
    "replication_kpis",
    "replication_seeds",
    "replay_scenario",
    "run_drill",
    "run_drill_with_progress",
    "run_replication",
    "scenario_from_text",
    "sop_files",
    "summarise",
    "t_interval",
    "write_report",
]
