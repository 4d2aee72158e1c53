"""Relief logistics: VRPTW routes on the Solomon benchmark are feasible and near the best known."""

from __future__ import annotations

import csv
import math

import pytest

from coordination.planner import (
    DistanceConvention,
    RoutingStatus,
    VrptwInstance,
    distance_matrix,
    load_solomon,
    parse_solomon,
    plan_relief_routes,
)
from coordination.errors import InvalidInput

from dispatch_fakes import SHARED_DATA, assert_feasible

SOLOMON = SHARED_DATA / "solomon"


def solomon_file(name: str):
    path = SOLOMON / name
    if not path.exists():
        pytest.skip(f"needs {path} (the shared reference data is absent)")
    return path


def best_known_distance(instance: str) -> float:
    with solomon_file("bks_c1_r1.csv").open() as handle:
        return next(float(row["hier_distance_double"]) for row in csv.DictReader(handle) if row["instance"] == instance)


def test_the_solomon_reader_gets_fleet_depot_and_customers():
    instance = load_solomon(path=solomon_file("C101.txt"))
    assert (instance.name, instance.vehicle_count, instance.capacity, len(instance.sites)) == ("C101", 25, 200, 101)
    depot, first = instance.sites[0], instance.sites[1]
    assert (depot.x, depot.y, depot.due) == (40, 50, 1236)
    assert (first.number, first.demand, first.ready, first.due, first.service) == (1, 10, 912, 967, 90)


def test_text_that_is_not_solomon_format_is_refused():
    with pytest.raises(InvalidInput, match="not in Solomon format"):
        parse_solomon(text="hello\n", name="junk")


def test_c101_routes_are_feasible_and_within_two_percent_of_the_best_known():
    """C101, 4 s of search: the clustered instance's optimum is 10 vehicles, 828.94."""
    instance = load_solomon(path=solomon_file("C101.txt"))
    plan = plan_relief_routes(instance=instance, time_limit_s=4)
    assert plan.status is RoutingStatus.FEASIBLE
    assert_feasible(instance, plan)
    assert plan.distance == pytest.approx(sum(r.distance for r in plan.routes))
    assert plan.distance <= best_known_distance("C101") * 1.02


def test_an_impossible_time_window_is_a_no_solution_result_not_an_exception():
    text = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
    0      0          0          0          0       1000          0
    1      100        0          5          0         50          10
"""
    plan = plan_relief_routes(instance=parse_solomon(text=text), time_limit_s=1)
    assert plan.status is RoutingStatus.NO_SOLUTION
    assert plan.routes == () and math.isinf(plan.distance)
    assert plan.solver_status.startswith("ROUTING_")
