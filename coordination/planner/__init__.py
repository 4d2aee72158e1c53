"""Dispatch optimisation: road network travel times, units, demands and the dispatch policies.

Pure: no database, HTTP or wall clock. The service snapshots open demands and units, asks a
policy for a plan, and records what the duty officer accepts. Relief logistics (supply runs to
camps with time windows) is a separate VRPTW planner.
"""

from coordination.planner.candidates import DispatchProblem, NeedGroup, build_problem
from coordination.planner.demands import PRIORITY_BY_SEVERITY, Demand, make_demand, priority_for
from coordination.planner.greedy import recommend_greedy
from coordination.planner.optimiser import recommend_optimal, solve_min_cost_flow
from coordination.planner.plan import (
    Assignment,
    AssignmentExplanation,
    CoverageRule,
    DispatchOptions,
    MoveUp,
    Plan,
    PlanMethod,
    PlanStatus,
    UncoveredZone,
    UnservedNeed,
    UnservedReason,
)
from coordination.planner.relief_backends import (
    DEFAULT_RELIEF_BACKEND,
    RELIEF_BACKENDS,
    plan_relief,
)
from coordination.planner.relief_routing import (
    DistanceConvention,
    ReliefPlan,
    ReliefRoute,
    RoutingStatus,
    distance_matrix,
    plan_relief_routes,
)
from coordination.planner.road_network import (
    ROAD_CLASS_SPEED_KMH,
    RoadNetwork,
    edge_travel_s,
    generate_grid_city,
    load_graphml_network,
    speed_kmh_for,
)
from coordination.planner.solomon import Site, VrptwInstance, load_solomon, parse_solomon
from coordination.planner.travel_times import TravelTimes, TravelTimeSource
from coordination.planner.units import (
    ASSIGNABLE_STATUSES,
    PREEMPTIBLE_STATUSES,
    UNIT_MOVES,
    Unit,
    UnitStatus,
    move_unit,
    units_by_id,
)

__all__ = [
    "ASSIGNABLE_STATUSES",
    "DEFAULT_RELIEF_BACKEND",
    "PREEMPTIBLE_STATUSES",
    "PRIORITY_BY_SEVERITY",
    "RELIEF_BACKENDS",
    "ROAD_CLASS_SPEED_KMH",
    "UNIT_MOVES",
    "Assignment",
    "AssignmentExplanation",
    "CoverageRule",
    "Demand",
    "DispatchOptions",
    "DispatchProblem",
    "DistanceConvention",
    "MoveUp",
    "NeedGroup",
    "Plan",
    "PlanMethod",
    "PlanStatus",
    "ReliefPlan",
    "ReliefRoute",
    "RoadNetwork",
    "RoutingStatus",
    "Site",
    "TravelTimeSource",
    "TravelTimes",
    "Unit",
    "UnitStatus",
    "UncoveredZone",
    "UnservedNeed",
    "UnservedReason",
    "VrptwInstance",
    "build_problem",
    "distance_matrix",
    "edge_travel_s",
    "generate_grid_city",
    "load_graphml_network",
    "load_solomon",
    "make_demand",
    "move_unit",
    "parse_solomon",
    "plan_relief",
    "plan_relief_routes",
    "priority_for",
    "recommend_greedy",
    "recommend_optimal",
    "solve_min_cost_flow",
    "speed_kmh_for",
    "units_by_id",
]
